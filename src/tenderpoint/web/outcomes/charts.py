"""Outcome charts: Altair specs rendered to SVG on the server (vl-convert), never in a browser.

Each chart has a table alternative built from the same rows (``pain_series``), so what the
picture shows is also readable as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from tenderpoint.web.common.charts import Datasets, svg_data_uri

WIDTH, HEIGHT = 680, 240


def _data_uri(chart: alt.TopLevelMixin, datasets: Datasets) -> str:
    return svg_data_uri(chart, datasets)


def pain_series(weekly: pl.DataFrame, prediction: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per diary day: daily pain, its 7-day mean and the model's reference value."""
    predicted = dict(
        zip(prediction.get("days", []), prediction.get("predicted_pain", []), strict=False)
    )
    rows = []
    for row in weekly.select("local_date", "pain", "pain_7d").iter_rows(named=True):
        day = row["local_date"].isoformat()
        rows.append(
            {
                "date": day,
                "pain": None if row["pain"] is None else round(row["pain"], 1),
                "pain_7d": None if row["pain_7d"] is None else round(row["pain_7d"], 1),
                "predicted": predicted.get(day),
            }
        )
    return rows


def measured_vs_predicted(
    weekly: pl.DataFrame, prediction: dict[str, Any], infusion_days: Sequence[dt.date]
) -> str:
    """Daily pain (dots), 7-day mean (line), model reference (dashed), infusion days (rules)."""
    long_rows: list[dict[str, Any]] = []
    for row in pain_series(weekly, prediction):
        for series, key in (
            ("Daily pain", "pain"),
            ("7-day mean", "pain_7d"),
            ("Model reference", "predicted"),
        ):
            if row[key] is not None:
                long_rows.append({"date": row["date"], "value": row[key], "series": series})
    colours = alt.Scale(
        domain=["Daily pain", "7-day mean", "Model reference"],
        range=["#8aa4ab", "#0b5d6b", "#b5651d"],
    )
    datasets = Datasets()
    base = alt.Chart(datasets.data(long_rows)).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("value:Q", title="Pain (0–10)", scale=alt.Scale(domain=[0, 10])),
        color=alt.Color("series:N", scale=colours, title=None, legend=alt.Legend(orient="bottom")),
    )
    points = base.transform_filter(alt.datum.series == "Daily pain").mark_circle(size=14)
    lines = base.transform_filter(alt.datum.series != "Daily pain").mark_line(strokeWidth=2)
    layers: list[Any] = [points, lines]
    if infusion_days:
        marks = [{"date": d.isoformat()} for d in infusion_days]
        layers.append(
            alt.Chart(datasets.data(marks))
            .mark_rule(color="#7a3e9d", strokeDash=[4, 3], opacity=0.6)
            .encode(x="date:T")
        )
    return _data_uri(alt.layer(*layers).properties(width=WIDTH, height=HEIGHT), datasets)


def km_chart(curve: Sequence[dict[str, Any]], title: str) -> str | None:
    """A Kaplan–Meier step curve with its confidence band."""
    if not curve:
        return None
    datasets = Datasets()
    base = alt.Chart(datasets.data(list(curve))).encode(
        x=alt.X("days:Q", title="Days since relief began")
    )
    band = base.mark_area(opacity=0.2, color="#0b5d6b", interpolate="step-after").encode(
        y=alt.Y("low:Q", title=title, scale=alt.Scale(domain=[0, 1])), y2="high:Q"
    )
    line = base.mark_line(color="#0b5d6b", interpolate="step-after").encode(y="survival:Q")
    return _data_uri(alt.layer(band, line).properties(width=WIDTH, height=HEIGHT), datasets)
