"""The demo clinic shows the whole console flow at once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tenderpoint.web.assessments.models import CriteriaAssessment
from tenderpoint.web.demo.seed import load_demo_clinic
from tenderpoint.web.infusions import services
from tenderpoint.web.infusions.models import (
    AdverseEvent,
    Appointment,
    Course,
    InfusionPlan,
    InfusionSession,
    SessionAmendment,
)

pytestmark = pytest.mark.django_db


def test_demo_has_plans_sessions_assessments_and_a_patient_ready_today():
    clinic = load_demo_clinic()
    sessions = InfusionSession.objects.filter(patient__clinic=clinic)
    assert sessions.filter(status="signed").count() > 20
    assert SessionAmendment.objects.count() == 1
    assert sessions.filter(status="amended").count() == 1
    assert AdverseEvent.objects.count() >= 3
    assert not InfusionPlan.objects.filter(status="draft").exists()
    # The latest session waits for a signature, and the clinician can sign it as charted.
    draft = sessions.get(status="draft")
    assert draft == sessions.order_by("-started_at").first()
    assert draft.disposition == "discharged"
    assert draft.signed_at is None
    signed = services.do_sign_session(draft, user=draft.plan.prescribed_by)
    assert signed.status == "signed"
    assert signed.signed_by == draft.plan.prescribed_by
    assert Course.objects.filter(kind="induction").count() >= 5
    assert CriteriaAssessment.objects.filter(status="signed").count() >= 5
    # Delivered doses were integrated from the pump events, which the rate and times explain.
    session = sessions.first()
    delivered = services.delivered_now(session).total_mg
    assert float(session.delivered_mg) == pytest.approx(delivered, abs=0.01)
    # Ready for a plan today: a valid check, a booked appointment today, no plan yet.
    today = timezone.localtime(timezone.now(), clinic.tzinfo).date()
    booked = Appointment.objects.filter(status="booked").select_related("patient").get()
    assert timezone.localtime(booked.starts_at, clinic.tzinfo).date() == today
    patient = booked.patient
    assert services.check_status(services.latest_check(patient), patient)["valid"]
    assert not InfusionPlan.objects.filter(patient=patient).exists()


def test_demo_dashboard_has_figures_on_first_start():
    """The seed queues the first snapshot for the task worker (the test settings' immediate
    backend runs it at once); the figures are those of the whole demo clinic."""
    from tenderpoint.web.outcomes.dashboard import MIN_CELL_PATIENTS
    from tenderpoint.web.outcomes.models import OutcomeSnapshot

    clinic = load_demo_clinic()
    snapshot = OutcomeSnapshot.objects.get(clinic=clinic, filters={})
    assert snapshot.status == "complete", snapshot.error
    assert snapshot.figures["n_patients"] == clinic.patients.count() >= MIN_CELL_PATIENTS
    assert snapshot.figures["induction"]["n"] >= MIN_CELL_PATIENTS
    assert len(snapshot.patient_table) == clinic.patients.count()
