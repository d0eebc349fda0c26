"""The one-page clinician report (PDF): the page a referring doctor reads in a minute.

Data are gathered here from the records, the response and durability figures come from the
outcomes core (``analyse_patient``), the pain chart is an Altair spec rendered to SVG by
vl-convert, and WeasyPrint lays the page out. Rendering fetches nothing: any URL other than an
inline ``data:`` one is refused.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import altair as alt
import polars as pl
from django.template.loader import render_to_string

from tenderpoint.errors import TenderpointError
from tenderpoint.web.api import adapters
from tenderpoint.web.common.charts import render_svg
from tenderpoint.web.infusions.models import AdverseEvent, ContraindicationCheck, InfusionSession
from tenderpoint.web.outcomes.frames import frames_for
from tenderpoint.web.patients.models import Medication, Patient
from tenderpoint.web.questionnaires.models import score_and_band

CHART_DAYS = 180
_STATUS_TEXT = {"insufficient_data": "too few diary days", "no_baseline": "no baseline"}
_CENSOR_TEXT = {"next_infusion": "until the next infusion", "last_entry": "to the last entry"}


def _sessions(patient: Patient) -> list[InfusionSession]:
    return list(
        InfusionSession.objects.current()
        .filter(patient=patient, started_at__isnull=False)
        .select_related("plan")
        .order_by("started_at")
    )


def outcome_summary(patient: Patient, today: datetime.date) -> dict[str, Any]:
    """Response by window and durability of relief from the outcomes core, or why not.

    The frames are the outcome page's (``outcomes.frames``), so the report and the page agree
    about the same patient."""
    # Imported here, not at module level: the outcomes core loads scipy.stats and
    # scipy.optimize (~1.5 s), which every web worker paid on its first request (the URLconf
    # imports this module) whether or not it ever showed an outcome.
    from tenderpoint.outcomes.patient import analyse_patient

    frames = frames_for([patient], today)
    if frames.diary.is_empty() or frames.infusions.is_empty():
        return {"reason": "Needs diary entries and at least one infusion with a start and end."}
    pid = str(patient.public_id)
    try:
        analysis = analyse_patient(
            pid, frames.diary, frames.infusions, frames.patients, today=today
        )
    except TenderpointError as error:
        return {"reason": f"Not computed: {error}"}
    responses = [
        {**row, "status_text": _STATUS_TEXT.get(row["status"], row["status"])}
        for row in analysis.responses.to_dicts()
    ]
    relief = [
        {**row, "censor_text": _CENSOR_TEXT.get(row.get("censor_reason") or "", "censored")}
        for row in analysis.relief.to_dicts()
    ]
    return {
        "responses": responses,
        "relief": relief,
        "baseline": analysis.baseline.to_dicts(),
    }


def pain_chart_svg(
    diary: pl.DataFrame, infusion_days: list[datetime.date], since: datetime.date
) -> str:
    """Daily mean pain (0–10) with each infusion as a vertical rule; SVG text."""
    daily = (
        diary.filter(pl.col("local_date") >= since)
        .group_by("local_date")
        .agg(pl.col("pain").mean().alias("pain"))
        .sort("local_date")
    )
    points = [{"day": d.isoformat(), "pain": round(p, 2)} for d, p in daily.iter_rows()]
    marks = [{"day": d.isoformat()} for d in infusion_days if d >= since]
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%b %d", labelFontSize=9))
    line = (
        alt.Chart(alt.Data(values=points))
        .mark_line(color="#1f4e79", strokeWidth=1.2)
        .encode(x=x, y=alt.Y("pain:Q", title="Pain 0–10", scale=alt.Scale(domain=[0, 10])))
    )
    layers: list[Any] = [line]
    if marks:
        layers.append(
            alt.Chart(alt.Data(values=marks))
            .mark_rule(color="#b03a2e", strokeDash=[3, 2], strokeWidth=1)
            .encode(x=x)
        )
    chart = alt.layer(*layers).properties(width=470, height=120).configure_view(stroke=None)
    return render_svg(chart)


def latest_scores(patient: Patient) -> list[dict[str, Any]]:
    model = adapters.response_model()
    if model is None:
        return []
    seen: dict[str, Any] = {}
    for response in model.objects.current().filter(patient=patient).order_by("-submitted_at"):
        seen.setdefault(response.instrument_id, response)
    from tenderpoint.clinical import get_instrument

    found = []
    for instrument_id, response in sorted(seen.items()):
        score, band = score_and_band(response.outputs)
        found.append(
            {
                "title": get_instrument(instrument_id).title,
                "score": score,
                "band": band,
                "date": response.local_date,
                "version": response.instrument_version,
            }
        )
    return found


def _criteria(patient: Patient) -> dict[str, Any] | None:
    assessment = patient.assessments.current().order_by("-assessed_at").first()
    if assessment is None:
        return None
    criteria = assessment.result.get("criteria", {})
    return {
        "date": assessment.assessed_at.date(),
        "status": assessment.get_status_display(),
        "rater": assessment.result.get("rater", ""),
        "met": [c["title"] for c in criteria.values() if c.get("meets")],
        "not_met": [c["title"] for c in criteria.values() if not c.get("meets")],
    }


def _findings(patient: Patient) -> dict[str, Any] | None:
    check = (
        ContraindicationCheck.objects.current()
        .filter(patient=patient)
        .order_by("-checked_at")
        .first()
    )
    if check is None:
        return None
    items = (
        check.findings if isinstance(check.findings, list) else check.findings.get("findings", [])
    )
    return {
        "date": check.checked_at.date(),
        "items": [
            {
                "text": f.get("message") or f.get("title") or f.get("code", "")
                if isinstance(f, dict)
                else str(f),
                "level": (f.get("level") or f.get("severity") or "") if isinstance(f, dict) else "",
            }
            for f in items
        ],
    }


def report_context(patient: Patient, today: datetime.date) -> dict[str, Any]:
    sessions = _sessions(patient)
    diary = frames_for([patient], today).diary
    since = today - datetime.timedelta(days=CHART_DAYS)
    infusion_days = [s.started_at.astimezone(patient.clinic.tzinfo).date() for s in sessions]
    chart = pain_chart_svg(diary, infusion_days, since) if not diary.is_empty() else ""
    recent_pain = (
        diary.filter(pl.col("local_date") >= today - datetime.timedelta(days=7))["pain"].mean()
        if not diary.is_empty()
        else None
    )
    return {
        "patient": patient,
        "age": patient.age_years(today),
        "today": today,
        "criteria": _criteria(patient),
        "medications": Medication.objects.current().filter(
            patient=patient, stopped_on__isnull=True
        ),
        "findings": _findings(patient),
        "chart_svg": chart,
        "chart_days": CHART_DAYS,
        "diary_days": diary["local_date"].n_unique() if not diary.is_empty() else 0,
        "recent_pain": round(recent_pain, 1) if recent_pain is not None else None,
        "sessions": sessions,
        "last_session": sessions[-1] if sessions else None,
        "total_mg": sum((s.delivered_mg for s in sessions), Decimal(0)),
        "outcome": outcome_summary(patient, today),
        "scores": latest_scores(patient),
        "adverse_events": AdverseEvent.objects.filter(session__in=sessions).order_by("-at")[:8],
    }


def _no_network(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return dict(default_url_fetcher(url))
    raise ValueError(f"the report fetches nothing from the network ({url})")


def render_document(context: dict[str, Any]) -> Any:
    """The laid-out WeasyPrint document (its ``pages`` tell whether it fits on one)."""
    import weasyprint

    html = render_to_string("api/report/clinician_report.html", context)
    return weasyprint.HTML(string=html, url_fetcher=_no_network).render()


def render_pdf(context: dict[str, Any]) -> bytes:
    return bytes(render_document(context).write_pdf())
