"""Vitals alerts at the reference 3.7 thresholds, and clinic settings that may only tighten.

Reference 3.7 (pharmacology.md): alert on SpO₂ < 92 %, SBP > 180 or DBP > 110 mmHg,
HR > 130 or < 45 /min, MOAA/S ≤ 2. Each is tested at, just under and just over its threshold,
asserting which alert fired.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tenderpoint.web.infusions import charting, services
from tenderpoint.web.infusions.models import DEFAULT_ALERTS
from tests.web.infusions import helpers

CALM = {
    "spo2_pct": 98,
    "systolic_mmhg": 120,
    "diastolic_mmhg": 80,
    "heart_rate_bpm": 70,
    "moaas": 5,
}


@pytest.mark.parametrize(
    ("field", "value", "fired"),
    [
        ("spo2_pct", 91, ["spo2_low"]),
        ("spo2_pct", 92, []),
        ("spo2_pct", 93, []),
        ("systolic_mmhg", 179, []),
        ("systolic_mmhg", 180, []),
        ("systolic_mmhg", 181, ["sbp_high"]),
        ("diastolic_mmhg", 109, []),
        ("diastolic_mmhg", 110, []),
        ("diastolic_mmhg", 111, ["dbp_high"]),
        ("heart_rate_bpm", 129, []),
        ("heart_rate_bpm", 130, []),
        ("heart_rate_bpm", 131, ["hr_high"]),
        ("heart_rate_bpm", 44, ["hr_low"]),
        ("heart_rate_bpm", 45, []),
        ("heart_rate_bpm", 46, []),
        ("moaas", 1, ["moaas_low"]),
        ("moaas", 2, ["moaas_low"]),
        ("moaas", 3, []),
    ],
)
def test_reference_thresholds_at_under_and_over(field, value, fired):
    alerts = charting.vitals_alerts(CALM | {field: value}, DEFAULT_ALERTS)
    assert [a.code for a in alerts] == fired


def test_calm_vitals_raise_nothing():
    assert charting.vitals_alerts(CALM, DEFAULT_ALERTS) == []


def test_several_alerts_are_all_named_with_value_and_threshold():
    alerts = charting.vitals_alerts(
        CALM | {"systolic_mmhg": 190, "diastolic_mmhg": 115, "heart_rate_bpm": 40},
        DEFAULT_ALERTS,
    )
    assert [(a.code, a.value, a.threshold) for a in alerts] == [
        ("sbp_high", 190, 180),
        ("dbp_high", 115, 110),
        ("hr_low", 40, 45),
    ]


@pytest.mark.parametrize(
    ("setting", "looser", "default", "tighter"),
    [
        ("spo2_min_pct", 91, 92, 94),
        ("sbp_max_mmhg", 181, 180, 170),
        ("dbp_max_mmhg", 111, 110, 100),
        ("hr_max_bpm", 131, 130, 120),
        ("hr_min_bpm", 44, 45, 50),
        ("moaas_max_alert", 1, 2, 3),
    ],
)
def test_a_clinic_may_only_tighten(world, setting, looser, default, tighter):
    current = services.clinic_settings(world.clinic)
    assert getattr(current, setting) == default
    for value in (default, tighter):
        setattr(current, setting, value)
        services.do_update_settings(current, user=world.clinic_admin, changed=[setting])
    setattr(current, setting, looser)
    with pytest.raises(ValidationError) as error:
        services.do_update_settings(current, user=world.clinic_admin, changed=[setting])
    assert list(error.value.message_dict) == [setting]
    assert "only be tightened" in error.value.message_dict[setting][0]
    current.refresh_from_db()
    assert getattr(current, setting) == tighter


def test_a_looser_setting_posted_is_a_422_naming_the_field(world, client_for):
    client = client_for(world.clinic_admin)
    form = services.clinic_settings(world.clinic)
    data = {
        name: getattr(form, name)
        for name in (*DEFAULT_ALERTS, "contraindication_validity_days", "discharge_min_minutes")
    }
    response = client.post("/clinic/console-settings/", data | {"hr_max_bpm": 140})
    assert response.status_code == 422
    body = response.content.decode()
    assert "only be tightened" in body
    assert 'value="140"' in body  # what was typed is kept
    assert services.clinic_settings(world.clinic).hr_max_bpm == 130


def test_a_tightened_clinic_threshold_is_used_when_charting(world):
    current = services.clinic_settings(world.clinic)
    current.spo2_min_pct = 94
    services.do_update_settings(current, user=world.clinic_admin, changed=["spo2_min_pct"])
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = services.do_start_session(plan, user=world.nurse)
    services.do_record_pre_checks(session, user=world.nurse, checks=helpers.PRE_CHECKS)
    at_default = helpers.VITALS | {"spo2_pct": 93}
    with pytest.raises(ValidationError) as error:
        services.do_record_vitals(session, user=world.nurse, at=timezone.now(), values=at_default)
    assert "SpO₂ 93 % < 94 %" in error.value.message_dict["action_taken"][0]
    fine = services.do_record_vitals(
        session, user=world.nurse, at=timezone.now(), values=helpers.VITALS | {"spo2_pct": 94}
    )
    assert fine.alerts == []
