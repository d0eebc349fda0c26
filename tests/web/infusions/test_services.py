"""Every state change of plans and sessions, with the rules that guard it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tenderpoint.errors import DoseLimitError
from tenderpoint.web.infusions import corrections, services
from tenderpoint.web.infusions.models import LimitOverride, PlanCheck
from tests.web.infusions import helpers


def test_plan_numbers_follow_the_pump_arithmetic(world):
    plan = helpers.draft_plan(world.patient_record, world.clinician)
    # 0.5 mg/kg/h x 4 h x 70 kg = 140 mg; 140/50 = 2.8 mL drug; C = 140/(250+2.8) mg/mL.
    conc = 140 / 252.8
    assert plan.total_dose_mg == Decimal("140.00")
    assert float(plan.final_concentration_mg_per_ml) == pytest.approx(conc, abs=1e-4)
    assert plan.pump_rate_ml_per_h == Decimal(f"{35 / conc:.1f}")  # 63.2 mL/h
    assert plan.status == "draft"
    assert plan.result["steps"], "every arithmetic step is stored"


def test_plan_draft_to_verified_to_in_use(world):
    plan = helpers.draft_plan(world.patient_record, world.clinician)
    check = services.do_double_check(plan, user=world.nurse, entered=helpers.blind_values(plan))
    plan.refresh_from_db()
    assert check.passed
    assert plan.status == "verified"
    assert (plan.prescribed_by, plan.verified_by) == (world.clinician, world.nurse)
    services.do_start_session(plan, user=world.nurse)
    plan.refresh_from_db()
    assert plan.status == "in_use"


def test_prescriber_cannot_double_check_own_plan(world):
    plan = helpers.draft_plan(world.patient_record, world.clinician)
    with pytest.raises(PermissionDenied):
        services.do_double_check(plan, user=world.clinician, entered=helpers.blind_values(plan))


@pytest.mark.parametrize(
    ("field", "typed", "passes"),
    [
        ("product", "esketamine", False),
        ("pump_rate_ml_per_h", "63.2", True),
        ("pump_rate_ml_per_h", "63.3", False),  # one pump step off
        ("weight_kg", "70.0", True),
        ("weight_kg", "70.1", False),  # one scale step off
        ("total_dose_mg", "140", True),
        ("total_dose_mg", "140.1", False),
        ("vial_mg_per_ml", "100", False),
        ("final_concentration_mg_per_ml", "0.55", True),
        ("final_concentration_mg_per_ml", "0.56", False),
    ],
)
def test_double_check_compares_at_device_resolution(world, field, typed, passes):
    plan = helpers.draft_plan(world.patient_record, world.clinician)
    entered = helpers.blind_values(plan) | {field: typed}
    check = services.do_double_check(plan, user=world.nurse, entered=entered)
    plan.refresh_from_db()
    assert check.passed is passes
    assert plan.status == ("verified" if passes else "draft")
    if not passes:
        assert [m["field"] for m in check.mismatches] == [field]


def test_draft_plan_cannot_be_used(world):
    plan = helpers.draft_plan(world.patient_record, world.clinician)
    with pytest.raises(ValidationError):
        services.do_start_session(plan, user=world.nurse)


def test_nurse_cannot_prescribe(world):
    helpers.clean_check(world.patient_record, world.nurse)
    with pytest.raises(PermissionDenied):
        services.do_create_plan(
            world.patient_record,
            user=world.nurse,
            inputs=helpers.PLAN_INPUTS,
            acknowledged=[],
            overrides={},
        )


def test_planning_blocked_without_a_valid_contraindication_check(world):
    with pytest.raises(ValidationError, match="No contraindication check"):
        services.do_create_plan(
            world.patient_record,
            user=world.clinician,
            inputs=helpers.PLAN_INPUTS,
            acknowledged=[],
            overrides={},
        )


def test_a_medication_change_voids_the_history_check(world):
    from tenderpoint.web.patients.history import do_save_entry
    from tenderpoint.web.patients.models import Medication

    helpers.clean_check(world.patient_record, world.clinician)
    status = services.check_status(
        services.latest_check(world.patient_record), world.patient_record
    )
    assert status["valid"]
    do_save_entry(Medication(patient=world.patient_record, name="Lorazepam"), user=world.nurse)
    status = services.check_status(
        services.latest_check(world.patient_record), world.patient_record
    )
    assert not status["valid"]
    assert "medication list changed" in status["reasons"][0]


def test_hard_stop_blocks_planning_until_a_prescriber_overrides(world):
    patient = world.patient_record
    answers = helpers.CLEAN_ANSWERS | {"systolic_bp_mmhg": 180.0}
    services.do_record_contraindication_check(
        patient, user=world.clinician, answers=answers, acknowledged=[], overrides={}
    )
    with pytest.raises(ValidationError, match="Hard stops not overridden"):
        services.do_create_plan(
            patient, user=world.clinician, inputs=helpers.PLAN_INPUTS, acknowledged=[], overrides={}
        )
    with pytest.raises(PermissionDenied):
        services.do_record_contraindication_check(
            patient,
            user=world.clinician,
            answers=answers,
            acknowledged=[],
            overrides={"bp_high": "re-measured 150/90 after rest"},
        )
    helpers.make_prescriber(world.clinician)
    check = services.do_record_contraindication_check(
        patient,
        user=world.clinician,
        answers=answers,
        acknowledged=[],
        overrides={"bp_high": "re-measured 150/90 after rest"},
    )
    assert check.hard_stop_overrides == {"bp_high": "re-measured 150/90 after rest"}
    assert services.check_status(check, patient)["valid"]


def test_hard_limit_needs_a_prescriber_override_with_reason(world):
    patient = world.patient_record
    helpers.clean_check(patient, world.clinician)
    # 2.1 mg/kg/h is over the 2.0 hard limit.
    inputs = helpers.PLAN_INPUTS | {
        "protocol_id": None,
        "dose_mg_per_kg_per_h": 2.1,
        "duration_min": 60.0,
    }
    with pytest.raises(DoseLimitError) as error:
        services.do_create_plan(
            patient, user=world.clinician, inputs=inputs, acknowledged=[], overrides={}
        )
    codes = [f["code"] for f in error.value.params["findings"]]
    assert "rate_mg_per_kg_per_h" in codes
    reason = dict.fromkeys(codes, "documented tolerance at this rate")
    with pytest.raises(PermissionDenied):
        services.do_create_plan(
            patient, user=world.clinician, inputs=inputs, acknowledged=[], overrides=reason
        )
    helpers.make_prescriber(world.clinician)
    core = services.compute_plan(patient, inputs, overrides=reason)
    plan = services.do_create_plan(
        patient,
        user=world.clinician,
        inputs=inputs,
        acknowledged=[w.code for w in core.warnings],
        overrides=reason,
    )
    override = LimitOverride.objects.get(plan=plan, code="rate_mg_per_kg_per_h")
    assert (override.value, override.limit) == (pytest.approx(2.1), 2.0)
    assert override.prescriber == world.clinician


def test_session_draft_to_signed_to_amended(world):
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = helpers.charted_session(plan, world.nurse)
    # delivered = rate x 4 h x C: what the rounded pump setting delivers (not typed).
    conc = float(plan.final_concentration_mg_per_ml)
    assert float(session.delivered_mg) == pytest.approx(
        float(plan.pump_rate_ml_per_h) * 4 * conc, abs=0.01
    )
    helpers.discharge(session, world.nurse)
    helpers.controlled_record(session, world.nurse, world.clinician)
    with pytest.raises(PermissionDenied):
        services.do_sign_session(session, user=world.nurse)
    services.do_sign_session(session, user=world.clinician)
    session.refresh_from_db()
    assert session.status == "signed"
    assert session.signed_by == world.clinician
    with pytest.raises(services.RecordLockedError):
        services.do_record_vitals(
            session, user=world.nurse, at=timezone.now(), values=helpers.VITALS
        )
    with pytest.raises(ValidationError):
        services.do_amend_session(session, user=world.clinician, reason=" ", changes={"notes": "x"})
    amendment = services.do_amend_session(
        session, user=world.clinician, reason="Lot number typo", changes={"vial_lot": "K123"}
    )
    session.refresh_from_db()
    assert session.status == "amended"
    assert amendment.changes == {"vial_lot": {"old": "KX2611", "new": "K123"}}
    assert session.history.count() > 3  # the original stays in the change history


def test_rate_change_over_hard_limit_is_refused_then_overridden(world):
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = services.do_start_session(plan, user=world.nurse)
    services.do_record_pre_checks(session, user=world.nurse, checks=helpers.PRE_CHECKS)
    start = timezone.now() - datetime.timedelta(minutes=30)
    services.do_pump_event(session, user=world.nurse, kind="start", at=start, rate_ml_per_h=63.2)
    conc, kg = float(plan.final_concentration_mg_per_ml), 70.0
    just_over = (2.0 * kg / conc) + 0.2  # mL/h above 2 mg/kg/h
    at = start + datetime.timedelta(minutes=10)
    with pytest.raises(DoseLimitError) as error:
        services.do_pump_event(
            session, user=world.nurse, kind="change", at=at, rate_ml_per_h=just_over, reason="pain"
        )
    assert "rate_mg_per_kg_per_h" in [f["code"] for f in error.value.params["findings"]]
    helpers.make_prescriber(world.clinician)
    codes = [f["code"] for f in error.value.params["findings"]]
    services.do_pump_event(
        session,
        user=world.clinician,
        kind="change",
        at=at,
        rate_ml_per_h=just_over,
        reason="pain",
        overrides=dict.fromkeys(codes, "clinician at bedside"),
    )
    assert set(LimitOverride.objects.filter(session=session).values_list("code", flat=True)) == set(
        codes
    )


def test_pre_checks_are_not_rewritten_once_the_pump_has_started(world):
    """The checks a start was based on stay as recorded; before the start they can be redone,
    and again after the start event is marked entered in error (nothing has started then)."""
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = services.do_start_session(plan, user=world.nurse)
    services.do_record_pre_checks(session, user=world.nurse, checks=helpers.PRE_CHECKS)
    rechecked = helpers.PRE_CHECKS | {"systolic_bp_mmhg": 131}
    services.do_record_pre_checks(session, user=world.nurse, checks=rechecked)
    start = timezone.now() - datetime.timedelta(minutes=5)
    event = services.do_pump_event(
        session, user=world.nurse, kind="start", at=start, rate_ml_per_h=63.2
    )
    with pytest.raises(ValidationError) as error:
        services.do_record_pre_checks(session, user=world.nurse, checks=helpers.PRE_CHECKS)
    assert "The infusion has started" in str(error.value)
    session.refresh_from_db()
    assert session.pre_checks["systolic_bp_mmhg"] == 131
    corrections.do_mark_row_in_error(event, user=world.nurse, reason="Started on the wrong chart")
    session.refresh_from_db()
    assert session.started_at is None
    services.do_record_pre_checks(session, user=world.nurse, checks=helpers.PRE_CHECKS)
    session.refresh_from_db()
    assert session.pre_checks["systolic_bp_mmhg"] == helpers.PRE_CHECKS["systolic_bp_mmhg"]


def test_vitals_alert_requires_the_action(world):
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = services.do_start_session(plan, user=world.nurse)
    services.do_record_pre_checks(session, user=world.nurse, checks=helpers.PRE_CHECKS)
    low = helpers.VITALS | {"spo2_pct": 91}
    with pytest.raises(ValidationError) as error:
        services.do_record_vitals(session, user=world.nurse, at=timezone.now(), values=low)
    assert "SpO₂ 91 % < 92 %" in str(error.value)
    at_threshold = helpers.VITALS | {"spo2_pct": 92}
    assert (
        services.do_record_vitals(
            session, user=world.nurse, at=timezone.now(), values=at_threshold
        ).alerts
        == []
    )
    vitals = services.do_record_vitals(
        session, user=world.nurse, at=timezone.now(), values=low, action_taken="paused, O2 given"
    )
    assert [a["code"] for a in vitals.alerts] == ["spo2_low"]


def test_discharge_gates(world):
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = helpers.charted_session(plan, world.nurse)
    end = session.ended_at
    too_early = end + datetime.timedelta(minutes=59)
    assert any("59 min" in p for p in services.discharge_gates(session, too_early))
    with pytest.raises(ValidationError):
        services.do_discharge(
            session, user=world.nurse, at=end + datetime.timedelta(minutes=60), escort=""
        )
    services.do_discharge(
        session, user=world.nurse, at=end + datetime.timedelta(minutes=60), escort="Sister"
    )
    session.refresh_from_db()
    assert session.discharged_at == end + datetime.timedelta(minutes=60)


def test_failed_double_check_is_kept(world):
    plan = helpers.draft_plan(world.patient_record, world.clinician)
    services.do_double_check(
        plan, user=world.nurse, entered=helpers.blind_values(plan) | {"product": "esketamine"}
    )
    services.do_double_check(plan, user=world.nurse, entered=helpers.blind_values(plan))
    assert list(PlanCheck.objects.filter(plan=plan).values_list("passed", flat=True)) == [
        False,
        True,
    ]
