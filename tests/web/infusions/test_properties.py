"""Property: no sequence of form posts saves a plan beyond a hard limit without a recorded
prescriber override (with a reason) for every hard limit it crosses."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from tenderpoint.web.infusions import services
from tenderpoint.web.infusions.models import InfusionPlan, LimitOverride
from tests.web.infusions import helpers

POST = st.fixed_dictionaries(
    {
        "dose_mg_per_kg_per_h": st.sampled_from(["0.5", "1.5", "2.0", "2.01", "2.5", "4"]),
        "duration_min": st.sampled_from(["60", "120", "240"]),
        "bolus_mg_per_kg": st.sampled_from(["", "0.35", "0.5", "0.51", "0.9"]),
        "vial_mg_per_ml": st.sampled_from(["10.0", "50.0", "100.0"]),
        "bag_volume_ml": st.sampled_from(["0", "50", "250"]),
        "as_prescriber": st.booleans(),
        "override_reason": st.sampled_from(["", "  ", "patient tolerated this before"]),
        "acknowledge": st.booleans(),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(posts=st.lists(POST, min_size=1, max_size=3))
def test_no_saved_plan_beyond_a_hard_limit_without_override(world, client_for, posts):
    patient = world.patient_record
    if not services.latest_check(patient):
        helpers.clean_check(patient, world.clinician)
    url = reverse("console:plan_new", kwargs={"patient_id": patient.public_id})
    before = set(InfusionPlan.objects.values_list("pk", flat=True))
    for post in posts:
        if post["as_prescriber"]:
            helpers.make_prescriber(world.clinician)
        else:
            from tenderpoint.web.infusions.models import PrescriberAuthorisation

            PrescriberAuthorisation.objects.filter(membership=world.clinician.membership).update(
                is_prescriber=False
            )
        data = {
            "protocol_id": "", "product": "racemic", "container": "bag", "weight_kg": "70",
            "height_cm": "168", "model_sex": "female", "first_pain_infusion": "no",
            "dose_mg_per_kg_per_h": post["dose_mg_per_kg_per_h"],
            "duration_min": post["duration_min"], "bolus_mg_per_kg": post["bolus_mg_per_kg"],
            "bolus_duration_min": "5" if post["bolus_mg_per_kg"] else "",
            "vial_mg_per_ml": post["vial_mg_per_ml"], "bag_volume_ml": post["bag_volume_ml"],
        }  # fmt: skip
        client = client_for(world.clinician)
        preview = client.post(url, data)
        html = preview.content.decode()
        import re

        extra = {"confirm": "yes"}
        for name in re.findall(r'name="(override_[^"]+)"', html):
            extra[name] = post["override_reason"]
        if post["acknowledge"]:
            for name in re.findall(r'name="(ack_[^"]+)"', html):
                extra[name] = "on"
        client.post(url, data | extra)
    new_plans = InfusionPlan.objects.filter(patient=patient).exclude(pk__in=before)
    any_prescriber = any(p["as_prescriber"] for p in posts)
    for plan in new_plans:
        inputs = dict(plan.inputs)
        inputs.pop("course", None)
        inputs.pop("appointment", None)
        crossed = {f["code"] for f in services._hard_findings(patient, inputs)}
        overrides = LimitOverride.objects.filter(plan=plan)
        recorded = {o.code for o in overrides}
        assert crossed <= recorded, (crossed, recorded)
        for o in overrides:
            assert o.reason.strip()
            assert any_prescriber, "an override was saved although no post came from a prescriber"
