"""Infusion records charted for the personas' patients, and token helpers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tenderpoint.web.api import tokens
from tenderpoint.web.infusions.models import (
    AdverseEvent,
    InfusionPlan,
    InfusionSession,
    SessionScore,
    VitalSigns,
)
from tests.web.conftest import World

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def chart_session(world: World, patient: Any, start: datetime.datetime) -> InfusionSession:
    """A verified plan and a signed session with two vitals sets, a CADSS-6, an adverse event."""
    plan = InfusionPlan.objects.create(
        patient=patient,
        status="in_use",
        inputs={},
        result={},
        core_version="test",
        product="racemic",
        vial_mg_per_ml=Decimal("10"),
        weight_kg=Decimal("70.0"),
        dosing_weight_kg=Decimal("70.00"),
        total_dose_mg=Decimal("35.00"),
        final_concentration_mg_per_ml=Decimal("0.7000"),
        pump_rate_ml_per_h=Decimal("66.7"),
        prescribed_by=world.clinician,
        prescribed_at=start - datetime.timedelta(days=1),
        verified_by=world.nurse,
        verified_at=start - datetime.timedelta(hours=20),
    )
    session = InfusionSession.objects.create(
        patient=patient,
        plan=plan,
        status="signed",
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=45),
        delivered_mg=Decimal("35.00"),
        signed_by=world.clinician,
        signed_at=start + datetime.timedelta(hours=2),
    )
    for minutes, sbp in ((0, 128), (15, 141)):
        VitalSigns.objects.create(
            session=session,
            at=start + datetime.timedelta(minutes=minutes),
            systolic_mmhg=sbp,
            diastolic_mmhg=82,
            heart_rate_bpm=76,
            spo2_pct=98,
            respiratory_rate_per_min=14,
            moaas=5,
            recorded_by=world.nurse,
        )
    SessionScore.objects.create(
        session=session,
        instrument_id="cadss6",
        phase="during",
        at=start + datetime.timedelta(minutes=30),
        answers={},
        outputs={"total": 4, "hold_discharge": False},
        version="cadss6-rodrigues2021/scoring-1",
        recorded_by=world.nurse,
    )
    AdverseEvent.objects.create(
        session=session,
        at=start + datetime.timedelta(minutes=20),
        event_type="nausea",
        severity="mild",
        description="Mild nausea",
        action="Paused 5 min",
        outcome="Resolved",
        recorded_by=world.nurse,
    )
    return session


@pytest.fixture
def charted(world: World) -> list[InfusionSession]:
    return [
        chart_session(world, world.patient_record, START),
        chart_session(world, world.patient_record, START + datetime.timedelta(days=7)),
        chart_session(world, world.other_clinic_patient_record, START),
    ]


def bearer(user: Any, scope: str) -> dict[str, str]:
    _, secret = tokens.do_issue_token(user, scope, 1, via="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api(client: Client):  # type: ignore[no-untyped-def]
    def get(path: str, headers: dict[str, str] | None = None, **extra: Any) -> Any:
        return client.get(path, **(headers or {}), **extra)

    return get
