"""Signing needs a disposition: discharge through the reference 3.7 gates, or a documented
transfer to emergency care / departure against medical advice."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tenderpoint.web.infusions import services
from tests.web.infusions import helpers


@pytest.fixture
def session(world: Any) -> Any:
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    return helpers.controlled_record(
        helpers.charted_session(plan, world.nurse), world.nurse, world.clinician
    )


def test_signing_without_a_disposition_is_refused(world, session):
    with pytest.raises(ValidationError) as error:
        services.do_sign_session(session, user=world.clinician)
    assert "discharge" in " ".join(error.value.messages)
    session.refresh_from_db()
    assert session.status == "draft"


def test_discharge_then_sign(world, session):
    helpers.discharge(session, world.nurse)
    session.refresh_from_db()
    assert (session.disposition, session.disposition_by) == ("discharged", world.nurse)
    services.do_sign_session(session, user=world.clinician)
    session.refresh_from_db()
    assert session.status == "signed"


def test_discharge_gates_still_hold(world, session):
    with pytest.raises(ValidationError) as error:
        services.do_discharge(
            session,
            user=world.nurse,
            at=session.ended_at + datetime.timedelta(minutes=59),
            escort="Sam",
        )
    assert "at least 60 min" in " ".join(error.value.messages)
    session.refresh_from_db()
    assert session.disposition == ""


@pytest.mark.parametrize("kind", ["transferred", "left_against_advice"])
def test_other_disposition_with_reason_then_sign(world, session, kind):
    # Recorded 10 min after the stop: the discharge gates are not met, and need not be.
    at = session.ended_at + datetime.timedelta(minutes=10)
    assert services.discharge_gates(session, at)
    services.do_record_disposition(
        session, user=world.nurse, kind=kind, at=at, reason="Chest pain; ambulance to ED"
    )
    session.refresh_from_db()
    assert (session.disposition, session.disposition_reason) == (
        kind,
        "Chest pain; ambulance to ED",
    )
    assert session.discharged_at is None
    services.do_sign_session(session, user=world.clinician)
    session.refresh_from_db()
    assert session.status == "signed"


def test_other_disposition_needs_a_reason_and_a_known_kind(world, session):
    at = session.ended_at + datetime.timedelta(minutes=10)
    with pytest.raises(ValidationError) as error:
        services.do_record_disposition(
            session, user=world.nurse, kind="transferred", at=at, reason="  "
        )
    assert list(error.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError) as error:
        services.do_record_disposition(
            session, user=world.nurse, kind="discharged", at=at, reason="x"
        )
    assert list(error.value.message_dict) == ["kind"]


def test_other_disposition_needs_the_infusion_stopped(world):
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = services.do_start_session(plan, user=world.nurse)
    services.do_record_pre_checks(session, user=world.nurse, checks=helpers.PRE_CHECKS)
    with pytest.raises(ValidationError) as error:
        services.do_record_disposition(
            session,
            user=world.nurse,
            kind="transferred",
            at=session.created_at,
            reason="Fainted",
        )
    assert "Chart the stop" in " ".join(error.value.messages)


def test_only_one_disposition(world, session):
    at = session.ended_at + datetime.timedelta(minutes=61)
    services.do_discharge(session, user=world.nurse, at=at, escort="Sam")
    with pytest.raises(ValidationError):
        services.do_record_disposition(
            session, user=world.nurse, kind="transferred", at=at, reason="x"
        )
    with pytest.raises(ValidationError):
        services.do_discharge(session, user=world.nurse, at=at, escort="Sam")


def test_outsiders_cannot_record_a_disposition(world, session):
    with pytest.raises(PermissionDenied):
        services.do_record_disposition(
            session,
            user=world.other_clinician,
            kind="transferred",
            at=session.ended_at,
            reason="x",
        )


def test_disposition_through_the_page(world, session, client_for):
    client = client_for(world.nurse)
    url = f"/patients/{world.patient_record.public_id}/sessions/{session.public_id}/"
    missing = client.post(
        url,
        {"action": "disposition", "disposition-kind": "transferred", "disposition-at": ""},
    )
    assert missing.status_code == 422
    body = missing.content.decode()
    assert "disposition-reason" in body
    assert "This field is required" in body
    # The form takes the clinic's local time, as the page shows it.
    at = timezone.localtime(session.ended_at, world.clinic.tzinfo) + datetime.timedelta(minutes=5)
    ok = client.post(
        url,
        {
            "action": "disposition",
            "disposition-kind": "transferred",
            "disposition-at": at.strftime("%Y-%m-%dT%H:%M"),
            "disposition-reason": "Hypertensive crisis; ambulance",
        },
    )
    assert ok.status_code == 302
    session.refresh_from_db()
    assert session.disposition == "transferred"


def _discharged_without_record(world: Any) -> Any:
    plan = helpers.verified_plan(world.patient_record, world.clinician, world.nurse)
    session = helpers.charted_session(plan, world.nurse)
    helpers.discharge(session, world.nurse)
    session.refresh_from_db()
    return session


def test_signing_needs_a_complete_controlled_substance_record(world):
    session = _discharged_without_record(world)
    with pytest.raises(ValidationError) as error:
        services.do_sign_session(session, user=world.clinician)
    message = " ".join(error.value.messages)
    assert "Complete the controlled-substance record" in message
    assert "vial lot, vial expiry, amount drawn, amount wasted" in message
    session.refresh_from_db()
    assert session.status == "draft"


@pytest.mark.parametrize(
    ("wasted_change", "signs"),
    [
        (Decimal("0"), True),  # drawn = given + wasted: balances
        (Decimal("-0.01"), False),  # 0.01 mg unaccounted
    ],
)
def test_signing_needs_the_record_to_balance(world, wasted_change, signs):
    session = _discharged_without_record(world)
    helpers.controlled_record(session, world.nurse, world.clinician)
    session.refresh_from_db()
    services.do_record_controlled_substance(
        session,
        user=world.nurse,
        fields={
            "drawn_mg": session.drawn_mg,
            "wasted_mg": session.wasted_mg + wasted_change,
            "waste_witness": world.clinician,
        },
    )
    session.refresh_from_db()
    if signs:
        assert services.do_sign_session(session, user=world.clinician).status == "signed"
        return
    with pytest.raises(ValidationError) as error:
        services.do_sign_session(session, user=world.clinician)
    assert "leaves 0.01 mg unaccounted" in " ".join(error.value.messages)


def test_a_record_wasting_more_than_was_left_is_refused(world):
    """0.01 mg over the balance: given + wasted would exceed what was drawn."""
    session = _discharged_without_record(world)
    helpers.controlled_record(session, world.nurse, world.clinician)
    session.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.do_record_controlled_substance(
            session,
            user=world.nurse,
            fields={
                "drawn_mg": session.drawn_mg,
                "wasted_mg": session.wasted_mg + Decimal("0.01"),
                "waste_witness": world.clinician,
            },
        )
    assert "wasted_mg" in error.value.message_dict
