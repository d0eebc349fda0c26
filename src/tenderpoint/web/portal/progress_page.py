"""What the patient's progress page shows, computed in one place (a view or the refresh task).

Building it reads a year of diary, computes weekly means and draws six or more charts: far too
slow for a request that follows each diary entry, so the page is served from the shared cache
and rebuilt in the background after a write (``portal.cache.latest``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tenderpoint.web.portal import cache as portal_cache
from tenderpoint.web.questionnaires.models import QuestionnaireResponse

CACHE_NAME = "progress"

TOTAL_CHARTS = {
    "phq9": ("PHQ-9 total (0–27)", 27),
    "gad7": ("GAD-7 total (0–21)", 21),
    "fiqr": ("FIQR total (0–100)", 100),
    "isi": ("ISI total (0–28)", 28),
}


def _questionnaire_totals(patient: Any) -> list[dict[str, Any]]:
    from tenderpoint.web.portal import charts

    totals = []
    for instrument_id, (title, top) in TOTAL_CHARTS.items():
        points = [
            (r.local_date, float(r.outputs["total"]))
            for r in QuestionnaireResponse.objects.filter(
                patient=patient, instrument_id=instrument_id
            )
            .current()
            .order_by("local_date")
            if isinstance(r.outputs.get("total"), int | float)
        ]
        if points:
            totals.append(
                {"title": title, "points": points, "chart": charts.totals_chart(points, title, top)}
            )
    return totals


@portal_cache.refreshed_in_background(CACHE_NAME)
def progress_body(patient: Any, today: datetime.date) -> SafeString:
    """The progress page's charts and tables for ``patient`` as of ``today``, as HTML: cached
    rendered, because rendering a year's table took longer than serving the rest of the page."""
    return render_to_string("portal/_progress_body.html", progress_context(patient, today))


def progress_context(patient: Any, today: datetime.date) -> dict[str, Any]:
    """Everything the progress page shows for ``patient`` as of ``today``."""
    # Imported here: this module is loaded at start-up (it registers the page), the chart and
    # dataframe libraries only where a page is drawn (the task worker).
    from tenderpoint.web.diary.services import diary_frame
    from tenderpoint.web.portal import charts, progress
    from tenderpoint.web.portal.infusion_links import infusion_days

    diary = diary_frame(patient, since=today - datetime.timedelta(days=365))
    weekly = progress.weekly_means(diary)
    flares = progress.flare_days(diary)
    infusions = infusion_days(patient)
    score_charts = [
        (
            trend,
            charts.score_chart(
                weekly, trend.score, infusions, flares if trend.score == "pain" else ()
            ),
        )
        for trend in progress.trends(weekly, today)
    ]
    return {
        "score_charts": score_charts,
        "rows": progress.as_rows(weekly),
        "flare_count": len(flares),
        "recent_flares": flares[-5:],
        "infusions": infusions,
        "totals": _questionnaire_totals(patient),
    }
