"""Server-side charts: an Altair spec rendered to SVG by vl-convert (no browser, no CDN).

The SVG is embedded as a data: URI image (allowed by the CSP's img-src), so no inline style
or script reaches the page; every chart also has a table alternative and a summary in words.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import altair as alt
import polars as pl

from tenderpoint.web.common.charts import Datasets, svg_data_uri
from tenderpoint.web.portal.progress import LABELS

WIDTH, HEIGHT = 400, 200
#: large enough to read on a phone, where the chart is shown at about 85 % of its size
FONT_SIZE = 14


def _to_data_uri(chart: alt.TopLevelMixin, datasets: Datasets) -> str:
    chart = chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE).configure_axisX(
        labelAngle=0, tickCount=4, format="%b"
    )
    return svg_data_uri(chart, datasets)


def score_chart(
    weekly: pl.DataFrame,
    score: str,
    infusion_days: Sequence[datetime.date] = (),
    flare_days: Sequence[datetime.date] = (),
) -> str | None:
    """7-day mean of one score over time; infusion days as ticks, flares as dots."""
    column = f"{score}_7d"
    data = weekly.select("local_date", column).drop_nulls()
    if data.is_empty():
        return None
    frame = (
        data.rename({column: "value"})
        .with_columns(pl.col("local_date").cast(pl.String).alias("date"))
        .select("date", "value")
    )
    datasets = Datasets()
    base = alt.Chart(datasets.data(frame.to_dicts()))
    line = base.mark_line(color="#0b5d6b", strokeWidth=2).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y(
            "value:Q",
            title=f"{LABELS[score]} (7-day average, 0–10)",
            scale=alt.Scale(domain=[0, 10]),
        ),
    )
    layers = [line]
    if infusion_days:
        marks = [{"date": day.isoformat()} for day in infusion_days]
        layers.append(
            alt.Chart(datasets.data(marks))
            .mark_rule(color="#7a3e9d", strokeDash=[4, 3])
            .encode(x="date:T")
        )
    if flare_days:
        marks = [{"date": day.isoformat(), "value": 10} for day in flare_days]
        layers.append(
            alt.Chart(datasets.data(marks))
            .mark_point(shape="triangle-down", color="#a61b1b", filled=True, size=40)
            .encode(x="date:T", y="value:Q")
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return _to_data_uri(chart, datasets)


def totals_chart(
    points: Sequence[tuple[datetime.date, float]], title: str, top: float
) -> str | None:
    """A questionnaire's totals over time."""
    if not points:
        return None
    values = [{"date": day.isoformat(), "value": value} for day, value in points]
    datasets = Datasets()
    chart = (
        alt.Chart(datasets.data(values))
        .mark_line(point=True, color="#0b5d6b")
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("value:Q", title=title, scale=alt.Scale(domain=[0, top])),
        )
        .properties(width=WIDTH, height=160)
    )
    return _to_data_uri(chart, datasets)
