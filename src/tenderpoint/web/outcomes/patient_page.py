"""One patient's outcomes, as the clinician's page shows them: computed in one place, cached.

``patient_outcomes`` turns the stored records into the outcomes core's frames
(``frames.frames_for``), runs ``tenderpoint.outcomes.patient.analyse_patient``, drives the relief
model with the doses actually delivered (``tenderpoint.outcomes.predicted``), scores FIQR change
with the clinical core, and returns a plain, JSON-ready dict. The dict is cached per patient in
the shared database cache (``portal.cache``: a write to the patient's diary, questionnaires or
sessions bumps their version, see ``signals``), so a warm page does no analysis at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tenderpoint import clinical
from tenderpoint.errors import TenderpointError
from tenderpoint.outcomes.predicted import DeliveredSession, predicted_relief
from tenderpoint.pharmacology.patient import Patient as PKPatient
from tenderpoint.web.infusions.models import InfusionSession
from tenderpoint.web.outcomes import charts
from tenderpoint.web.outcomes.frames import frames_for
from tenderpoint.web.patients.models import Patient
from tenderpoint.web.portal import cache
from tenderpoint.web.portal.progress import weekly_means

# bumped when a default rule or a result field changes, so no page shows an older result
CACHE_NAME = "clinician-outcomes-v4"  # v4: forecast rule 2.3


def _delivered_sessions(patient: Patient) -> list[DeliveredSession]:
    sessions = (
        InfusionSession.objects.current()
        .filter(patient=patient, started_at__isnull=False, ended_at__isnull=False)
        .select_related("plan")
        .order_by("started_at")
    )
    return [
        DeliveredSession(
            start=s.started_at,
            duration_min=max((s.ended_at - s.started_at).total_seconds() / 60.0, 1.0),
            delivered_mg=float(s.delivered_mg),
            product=s.plan.product,
        )
        for s in sessions
    ]


def _pk_patient(patient: Patient, today: dt.date) -> tuple[PKPatient | None, str]:
    """The covariates the PK model needs, or why the prediction cannot be drawn."""
    if patient.weight_kg is None or patient.height_cm is None:
        return None, "weight and height are not recorded"
    if patient.sex not in ("female", "male"):
        return None, "the PK covariate equations need sex recorded as female or male"
    try:
        return (
            PKPatient(
                weight_kg=float(patient.weight_kg),
                height_cm=float(patient.height_cm),
                age_years=float(patient.age_years(today)),
                sex=patient.sex,
            ),
            "",
        )
    except TenderpointError as error:
        return None, str(error)


def _prediction(
    patient: Patient, baseline_pain: float | None, days: list[dt.date], today: dt.date
) -> dict[str, Any]:
    sessions = _delivered_sessions(patient)
    if not sessions:
        return {"available": False, "reason": "no charted sessions with a start and end yet"}
    if baseline_pain is None:
        return {
            "available": False,
            "reason": "no baseline pain (too few diary days before the first infusion)",
        }
    pk_patient, reason = _pk_patient(patient, today)
    if pk_patient is None:
        return {"available": False, "reason": reason}
    products = {s.product for s in sessions}
    if len(products) > 1:
        return {"available": False, "reason": "sessions of both products: no single model line"}
    result = predicted_relief(sessions, pk_patient, baseline_pain, days, patient.clinic.time_zone)
    return {"available": True, **result.as_dict()}


def _fiqr_change(frames_assessments: pl.DataFrame) -> dict[str, Any] | None:
    fiqr = frames_assessments.filter(pl.col("instrument_id") == "fiqr").sort("date")
    if fiqr.height < 2:
        return None
    first, last = fiqr.row(0, named=True), fiqr.row(-1, named=True)
    result = clinical.score("fiqr_change", {"baseline": first["total"], "follow_up": last["total"]})
    return {
        "baseline_date": first["date"].isoformat(),
        "baseline": round(first["total"], 1),
        "follow_up_date": last["date"].isoformat(),
        "follow_up": round(last["total"], 1),
        "outputs": result.as_dict(),
        "explanation": result.explanation,
        "version": result.version,
    }


def _latest_pgic(patient: Patient) -> dict[str, Any] | None:
    from tenderpoint.web.questionnaires.models import QuestionnaireResponse

    latest = (
        QuestionnaireResponse.objects.current()
        .filter(patient=patient, instrument_id="pgic")
        .order_by("-submitted_at")
        .first()
    )
    if latest is None:
        return None
    return {
        "date": latest.local_date.isoformat(),
        "outputs": latest.outputs,
        "explanation": latest.explanation,
        "version": latest.instrument_version,
    }


def compute_patient_outcomes(patient: Patient, today: dt.date) -> dict[str, Any]:
    """The whole page's numbers for ``patient`` (no cache): the core's output, JSON-ready."""
    # Imported here, not at module level: the outcomes core loads scipy.stats and
    # scipy.optimize (~1.5 s), which every web worker paid on its first request (the URLconf
    # imports this module) whether or not it ever showed an outcome.
    from tenderpoint.outcomes.patient import analyse_patient

    frames = frames_for([patient], today)
    if frames.diary.is_empty():
        return {"status": "no_diary", "today": today.isoformat()}
    pid = str(patient.public_id)
    analysis = analyse_patient(pid, frames.diary, frames.infusions, frames.patients, today=today)
    result = analysis.as_dict()
    weekly = weekly_means(frames.diary)
    days = weekly["local_date"].to_list()
    baseline_rows = result["baseline"]
    baseline_pain = baseline_rows[0].get("baseline_pain") if baseline_rows else None
    prediction = _prediction(patient, baseline_pain, days, today)
    infusion_days = sorted({s.date() for s in frames.infusions["start"].to_list()})
    return {
        "status": "ok",
        "today": today.isoformat(),
        "analysis": result,
        "prediction": prediction,
        "fiqr_change": _fiqr_change(frames.assessments),
        "pgic": _latest_pgic(patient),
        "series": charts.pain_series(weekly, prediction),
        "infusion_days": [d.isoformat() for d in infusion_days],
        "chart_svg": charts.measured_vs_predicted(weekly, prediction, infusion_days),
    }


def patient_outcomes(patient: Patient, today: dt.date | None = None) -> dict[str, Any]:
    """``compute_patient_outcomes`` through the shared per-patient cache."""
    day = today or dt.datetime.now(tz=patient.clinic.tzinfo).date()
    return cache.cached(
        patient, f"{CACHE_NAME}:{day.isoformat()}", lambda: compute_patient_outcomes(patient, day)
    )
