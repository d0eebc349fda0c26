"""The one-page clinician PDF: who may download it, that it is audited as an export, that it
fits on one page and renders offline."""

from __future__ import annotations

import datetime

import pytest

from tenderpoint.web.api import report
from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.patients.models import Medication
from tenderpoint.web.questionnaires.models import QuestionnaireResponse
from tests.web.api.conftest import START, chart_session
from tests.web.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world: World) -> None:
    patient = world.patient_record
    for day in range(-20, 40):
        when = START + datetime.timedelta(days=day, hours=10)
        DiaryEntry.objects.create(
            patient=patient,
            recorded_at=when,
            local_date=when.date(),
            time_zone="UTC",
            pain=7 if day < 0 else 4,
            fatigue=6,
        )
    chart_session(world, patient, START)
    chart_session(world, patient, START + datetime.timedelta(days=2))
    Medication.objects.create(patient=patient, name="Duloxetine", dose="60 mg daily")
    QuestionnaireResponse.objects.create(
        patient=patient,
        instrument_id="phq9",
        instrument_version="phq9/scoring-1",
        answers={},
        outputs={"total": 8, "severity": "mild", "item9_positive": False},
        explanation="",
        submitted_at=START,
        local_date=START.date(),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("clinician", 200),
        ("nurse", 200),
        ("patient", 403),
        ("clinic_admin", 403),
        ("other_clinician", 403),
    ],
)
def test_who_may_download(world: World, client_for, history, persona: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.persona(persona))
    response = client.get(f"/patients/{world.patient_record.public_id}/report.pdf")
    assert response.status_code == status
    exports = AuditEvent.objects.filter(action="export", object_type="api.clinician_report")
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert exports.get().patient_id == world.patient_record.public_id
    else:
        assert not exports.exists()
        assert AuditEvent.objects.filter(action="denied").exists()


def test_report_is_one_page_with_the_facts(world: World, history) -> None:  # type: ignore[no-untyped-def]
    today = (START + datetime.timedelta(days=40)).date()
    context = report.report_context(world.patient_record, today)
    document = report.render_document(context)
    assert len(document.pages) == 1
    assert "<svg" in context["chart_svg"]
    assert context["total_mg"] == 70
    assert [s["score"] for s in context["scores"]] == [8]
    assert context["recent_pain"] == 4.0


def test_rendering_fetches_nothing() -> None:
    with pytest.raises(ValueError, match="fetches nothing"):
        report._no_network("https://example.org/logo.png")


def test_report_and_outcome_page_read_the_same_frames(world) -> None:  # type: ignore[no-untyped-def]
    """The report built its own frames (patient weight, no course, unended sessions), so it
    could disagree with the outcome page about the same patient; both now read outcomes.frames
    and must give the same baseline and window responses."""
    from django.utils import timezone

    from tenderpoint.web.api.report import outcome_summary
    from tenderpoint.web.outcomes.patient_page import compute_patient_outcomes
    from tests.web.outcomes.helpers import synthetic_history

    patient = world.patient_record
    patient.weight_kg, patient.height_cm, patient.sex = 70, 165, "female"
    patient.save()
    synthetic_history(patient, world.clinician, world.nurse, days=120, seed=9)
    today = timezone.now().astimezone(world.clinic.tzinfo).date()
    report = outcome_summary(patient, today)
    page = compute_patient_outcomes(patient, today)["analysis"]
    assert [b["baseline_pain"] for b in report["baseline"]] == [
        b["baseline_pain"] for b in page["baseline"]
    ]
    assert [r["pct_reduction_pain"] for r in report["responses"]] == [
        r["pct_reduction_pain"] for r in page["responses"]
    ]
