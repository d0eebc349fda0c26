"""The console pages as each persona sees them, and the first-visit-to-signed-session flow."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tenderpoint.web.assessments.models import CriteriaAssessment
from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.infusions import services
from tenderpoint.web.infusions.models import InfusionPlan
from tests.web.infusions import helpers

PERSONAS = ["patient", "clinician", "nurse", "other_clinician", "clinic_admin", "other_patient"]
CARE_TEAM = {"clinician", "nurse"}


@pytest.fixture
def records(world):
    """An assessment, a verified plan and a charted session on Paula's record."""
    patient = world.patient_record
    assessment = helpers.criteria_assessment(patient, world.clinician)
    plan = helpers.verified_plan(patient, world.clinician, world.nurse)
    session = helpers.charted_session(plan, world.nurse)
    return {"assessment": assessment, "plan": plan, "session": session}


def console_urls(world, records):
    pid = world.patient_record.public_id
    return {
        "assessments:criteria_new": reverse("assessments:criteria_new", kwargs={"patient_id": pid}),
        "assessments:detail": reverse(
            "assessments:detail",
            kwargs={"patient_id": pid, "assessment_id": records["assessment"].public_id},
        ),
        "console:problems": reverse("console:problems", kwargs={"patient_id": pid}),
        "console:medications": reverse("console:medications", kwargs={"patient_id": pid}),
        "console:contraindications": reverse(
            "console:contraindications", kwargs={"patient_id": pid}
        ),
        "console:courses": reverse("console:courses", kwargs={"patient_id": pid}),
        "console:appointments": reverse("console:appointments", kwargs={"patient_id": pid}),
        "console:plan_new": reverse("console:plan_new", kwargs={"patient_id": pid}),
        "console:plan": reverse(
            "console:plan", kwargs={"patient_id": pid, "plan_id": records["plan"].public_id}
        ),
        "console:sessions": reverse("console:sessions", kwargs={"patient_id": pid}),
        "console:session": reverse(
            "console:session",
            kwargs={"patient_id": pid, "session_id": records["session"].public_id},
        ),
    }


def test_every_console_url_for_every_persona(world, records, client_for):
    urls = console_urls(world, records)
    for persona in PERSONAS:
        user = world.persona(persona)
        client = client_for(user)
        for name, url in urls.items():
            before = AuditEvent.objects.count()
            response = client.get(url)
            allowed = persona in CARE_TEAM
            assert response.status_code == (200 if allowed else 403), (persona, name)
            event = AuditEvent.objects.order_by("sequence")[before:].get()
            assert event.action == ("view" if allowed else "denied")
            assert event.patient_id == world.patient_record.public_id
            body = response.content.decode()
            assert (world.patient_record.family_name in body) is allowed


def test_record_of_another_patient_is_404_not_leaked(world, records, client_for):
    other = world.other_patient_record.public_id
    url = reverse(
        "console:plan", kwargs={"patient_id": other, "plan_id": records["plan"].public_id}
    )
    assert client_for(world.clinician).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        # Staff of another clinic see their own clinic's home and log, never clinic A's.
        ("home", {"clinician", "nurse", "other_clinician"}),
        ("clinic:controlled_substances", {"clinician", "nurse", "other_clinician"}),
        ("clinic:console_settings", {"clinic_admin"}),
        ("clinic:prescribers", {"clinic_admin"}),
    ],
)
def test_clinic_pages_by_persona(world, client_for, name, allowed):
    for persona in PERSONAS:
        response = client_for(world.persona(persona)).get(reverse(name))
        if name == "home" and persona not in allowed:
            assert response.status_code in (200, 302)  # sent to their own start page
            continue
        assert response.status_code == (200 if persona in allowed else 403), persona


def _form_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html))


def test_first_visit_and_infusion_day_through_the_pages(world, client_for):
    patient = world.patient_record
    pid = patient.public_id

    # One test client: switch who is signed in before each step.
    def clinician_():
        return client_for(world.clinician)

    def nurse_():
        return client_for(world.nurse)

    # Assessment on the body map.
    url = reverse("assessments:criteria_new", kwargs={"patient_id": pid})
    areas = [
        "neck",
        "upper_back",
        "lower_back",
        "hip_left",
        "hip_right",
        "shoulder_girdle_left",
        "shoulder_girdle_right",
        "upper_leg_left",
        "upper_leg_right",
        "lower_leg_left",
    ]
    response = clinician_().post(
        url,
        {
            "wpi_areas": areas,
            "fatigue": "2",
            "waking_unrefreshed": "2",
            "cognitive": "2",
            "headaches_6mo": "yes",
            "lower_abdominal_pain_or_cramps_6mo": "no",
            "depression_6mo": "no",
            "duration_ge_3_months": "yes",
            "other_disorder_explains_pain": "no",
            "tender_points_examined": "on",
            "positive_tender_points": [
                f"{p}_{s}"
                for p in (
                    "occiput",
                    "trapezius",
                    "knee",
                    "gluteal",
                    "lateral_epicondyle",
                    "second_rib",
                )
                for s in ("left", "right")
            ],
        },
    )
    assert response.status_code == 302
    assessment = CriteriaAssessment.objects.get(patient=patient)
    assert assessment.result["criteria"]["acr2016"]["meets"] is True
    assert assessment.result["criteria"]["acr1990"]["meets"] is True
    page = clinician_().get(response["Location"]).content.decode()
    assert "ACR 1990" in page or "1990" in page
    # Missing answers: 422 with each field named, what was typed kept.
    bad = clinician_().post(url, {"wpi_areas": ["neck"], "fatigue": "2"})
    assert bad.status_code == 422
    assert 'value="neck" checked' in bad.content.decode()
    # Contraindication check (two steps: check, then record).
    url = reverse("console:contraindications", kwargs={"patient_id": pid})
    answers = {
        k: ("yes" if v is True else "no" if v is False else v)
        for k, v in helpers.CLEAN_ANSWERS.items()
    }
    first = clinician_().post(url, answers)
    assert first.status_code == 200
    warning_codes = re.findall(r'name="acknowledge" value="([^"]+)"', first.content.decode())
    done = clinician_().post(url, answers | {"confirm": "yes", "acknowledge": warning_codes})
    assert done.status_code == 302
    # Plan: calculate, then save.
    url = reverse("console:plan_new", kwargs={"patient_id": pid})
    plan_post = {
        "protocol_id": "asra-chronic-pain-0.5-per-h-4h",
        "product": "racemic",
        "vial_mg_per_ml": "50.0",
        "container": "bag",
        "bag_volume_ml": "250",
        "weight_kg": "70",
        "height_cm": "168",
        "model_sex": "female",
        "first_pain_infusion": "no",
    }
    preview = clinician_().post(url, plan_post)
    assert preview.status_code == 200
    acks = dict.fromkeys(re.findall(r'name="(ack_[^"]+)"', preview.content.decode()), "on")
    saved = clinician_().post(url, plan_post | acks | {"confirm": "yes"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    plan = InfusionPlan.objects.get(patient=patient)
    plan_page = clinician_().get(saved["Location"])
    assert plan_page.status_code == 200
    assert "virtual patients" in plan_page.content.decode()
    # Nurse double check, blind.
    values = helpers.blind_values(plan)
    checked = nurse_().post(saved["Location"], {"action": "check", **values})
    assert checked.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "verified"
    started = nurse_().post(saved["Location"], {"action": "start_session"})
    session_url = started["Location"]
    session = plan.sessions.get()
    pre = {
        f"pre_checks-{k}": ("yes" if v is True else "no" if v is False else v)
        for k, v in helpers.PRE_CHECKS.items()
    }
    pre |= {"pre_checks-fasting": "on", "pre_checks-escort": "on", "pre_checks-consent": "on"}
    assert nurse_().post(session_url, {"action": "pre_checks", **pre}).status_code == 302
    tz = world.clinic.tzinfo
    start = timezone.localtime(timezone.now() - datetime.timedelta(hours=6), tz)
    fmt = "%Y-%m-%dT%H:%M"
    assert (
        nurse_()
        .post(
            session_url,
            {
                "action": "pump",
                "pump-kind": "start",
                "pump-at": start.strftime(fmt),
                "pump-rate_ml_per_h": str(plan.pump_rate_ml_per_h),
            },
        )
        .status_code
        == 302
    )
    stop = start + datetime.timedelta(hours=4)
    assert (
        nurse_()
        .post(session_url, {"action": "pump", "pump-kind": "stop", "pump-at": stop.strftime(fmt)})
        .status_code
        == 302
    )
    session.refresh_from_db()
    assert float(session.delivered_mg) == pytest.approx(
        float(plan.pump_rate_ml_per_h) * 4 * float(plan.final_concentration_mg_per_ml), abs=0.01
    )
    # No disposition yet: signing is refused; the nurse discharges through the gates.
    assert clinician_().post(session_url, {"action": "sign"}).status_code == 422
    helpers.recovered(session, world.nurse)
    discharge_at = stop + datetime.timedelta(minutes=61)
    discharged = nurse_().post(
        session_url,
        {
            "action": "discharge",
            "discharge-at": discharge_at.strftime(fmt),
            "discharge-escort": "Sam (partner)",
        },
    )
    assert discharged.status_code == 302
    # Signing waits for the controlled-substance record; the nurse records it, witnessed.
    refused = clinician_().post(session_url, {"action": "sign"})
    assert refused.status_code == 422
    assert "Complete the controlled-substance record" in refused.content.decode()
    given = session.delivered_mg
    drawn = 50 * (int(given // 50) + 1)
    recorded = nurse_().post(
        session_url,
        {
            "action": "controlled",
            "controlled-vial_lot": "KX2611",
            "controlled-vial_expiry": "2027-06-30",
            "controlled-drawn_mg": str(drawn),
            "controlled-wasted_mg": str(drawn - given),
            "controlled-waste_witness": str(world.clinician.pk),
        },
    )
    assert recorded.status_code == 302
    # The nurse cannot sign; the clinician can.
    nurse_().post(session_url, {"action": "sign"})
    session.refresh_from_db()
    assert session.status == "draft"
    assert clinician_().post(session_url, {"action": "sign"}).status_code == 302
    session.refresh_from_db()
    assert session.status == "signed"
    # An edit is refused (409), an amendment is recorded.
    refused = nurse_().post(
        session_url,
        {
            "action": "vitals",
            "vitals-at": stop.strftime(fmt),
            "vitals-systolic_mmhg": "120",
            "vitals-diastolic_mmhg": "80",
            "vitals-heart_rate_bpm": "70",
            "vitals-spo2_pct": "98",
            "vitals-respiratory_rate_per_min": "14",
            "vitals-moaas": "5",
        },
    )
    assert refused.status_code == 409
    amended = clinician_().post(
        session_url, {"action": "amend", "amend-reason": "Lot typo", "amend-vial_lot": "K-2231"}
    )
    assert amended.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.vial_lot) == ("amended", "K-2231")
    assert "Lot typo" in clinician_().get(session_url).content.decode()


def test_nurse_cannot_save_a_plan(world, client_for):
    helpers.clean_check(world.patient_record, world.clinician)
    url = reverse("console:plan_new", kwargs={"patient_id": world.patient_record.public_id})
    post = {
        "protocol_id": "asra-chronic-pain-0.5-per-h-4h",
        "product": "racemic",
        "vial_mg_per_ml": "50.0",
        "container": "bag",
        "bag_volume_ml": "250",
        "weight_kg": "70",
        "height_cm": "168",
        "model_sex": "female",
        "confirm": "yes",
        "first_pain_infusion": "no",
    }
    response = client_for(world.nurse).post(url, post)
    assert response.status_code == 422
    assert not InfusionPlan.objects.exists()


def test_unused_warning(records):
    assert services  # keep the import used for helpers


@pytest.mark.parametrize("end_date", ["0001-1-1", "2026-12-01"])
def test_course_with_an_end_date_but_no_start_is_a_named_error_not_a_500(
    world, client_for, end_date
):  # type: ignore[no-untyped-def]
    """Found by the form fuzzer: the end-before-start check compared a date with None."""
    url = reverse("console:courses", kwargs={"patient_id": world.patient_record.public_id})
    response = client_for(world.clinician).post(
        url, {"kind": "induction", "planned_infusions": "5", "end_date": end_date}
    )
    assert response.status_code == 422
    assert "start_date" in response.context["form"].errors


def test_the_blind_checker_cannot_see_the_numbers_on_the_pump_sheet(world, client_for):
    """A draft's pump sheet would show the checker every number they are about to re-enter."""
    plan = helpers.draft_plan(world.patient_record, world.clinician)
    url = reverse(
        "console:plan",
        kwargs={"patient_id": world.patient_record.public_id, "plan_id": plan.public_id},
    )
    rate = f"{plan.pump_rate_ml_per_h}"
    checker = client_for(world.nurse)
    for page in (checker.get(url), checker.get(url + "?print=1")):
        body = page.content.decode()
        assert page.status_code == 200
        assert "a blind check" in body
        assert "Printable pump sheet" not in body
        assert rate not in body
    # the author still prints it, and the checker can once the plan is verified
    assert rate in client_for(world.clinician).get(url + "?print=1").content.decode()
    services.do_double_check(plan, user=world.nurse, entered=helpers.blind_values(plan))
    assert rate in checker.get(url + "?print=1").content.decode()


def test_a_crossed_limit_reads_in_words_with_value_and_limit_not_its_code():
    from tenderpoint.web.infusions.views import describe_limit

    text = describe_limit(
        {
            "code": "rate_mg_per_kg_per_h",
            "message": "Infusion rate 2.374 mg/kg/h is above 2 mg/kg/h.",
            "value": 2.3741,
            "limit": 2.0,
            "unit": "mg/kg/h",
        }
    )
    assert text == (
        "Hard limit crossed: Infusion rate 2.374 mg/kg/h is above 2 mg/kg/h."
        " (value 2.374 mg/kg/h, limit 2 mg/kg/h)"
    )


def test_session_scores_are_named_as_on_the_form_not_by_core_id(world, records, client_for):
    url = console_urls(world, records)["console:session"]
    body = client_for(world.nurse).get(url).content.decode()
    table = body[body.index('id="score-h"') :]
    table = table[: table.index("</table>")]
    assert "<td>CADSS-6</td>" in table
    assert "<td>cadss6</td>" not in table


def test_a_charted_pain_score_shows_its_band(world, records, client_for):
    # The core's NRS result names its band ``severity_band(_label)``; the chart once asked
    # for a ``severity`` key as a filter argument, which raises: every session with a pain
    # score was a server error.
    session = records["session"]
    services.do_record_score(
        session,
        user=world.nurse,
        instrument_id="pain_nrs_severity",
        phase="recovery",
        answers={"nrs": 6},
        at=session.ended_at,
    )
    url = console_urls(world, records)["console:session"]
    response = client_for(world.nurse).get(url)
    assert response.status_code == 200
    table = response.content.decode()
    table = table[table.index('id="score-h"') :]
    table = table[: table.index("</table>")]
    assert "<td>Pain NRS</td>" in table
    assert "<td>6 (moderate)</td>" in table


def test_each_rows_in_error_form_is_folded_so_the_vitals_table_stays_compact(
    world, records, client_for
):
    # Open, every vitals row carried a reason field and a button: on a 390 px phone each row
    # was a screen tall, the values a thin strip beside a form scrolled out of sight. The form
    # now opens from a <summary> (native, no JavaScript needed).
    url = console_urls(world, records)["console:session"]
    body = client_for(world.nurse).get(url).content.decode()
    table = body[body.index('id="vitals-h"') :]
    table = table[: table.index("</table>")]
    forms = table.count('name="row-reason"')
    assert forms >= 1
    folded = re.findall(
        r"<details[^>]*>\s*<summary>.*?</summary>\s*<form.*?</form></details>", table, re.S
    )
    assert len(folded) == forms


def test_an_adverse_event_line_has_one_full_stop_per_sentence(world, records, client_for):
    session = records["session"]
    services.do_record_adverse_event(
        session,
        user=world.nurse,
        fields={
            "at": session.started_at + datetime.timedelta(minutes=30),
            "event_type": "nausea",
            "severity": "mild",
            "description": "",
            "action": "Ondansetron 4 mg IV.",
            "outcome": "Resolved within 30 min",
        },
    )
    url = console_urls(world, records)["console:session"]
    body = client_for(world.nurse).get(url).content.decode()
    assert "Action: Ondansetron 4 mg IV. Outcome: Resolved within 30 min." in body
    assert ".." not in body.split('id="adverse')[1].split("</ul>")[0]
