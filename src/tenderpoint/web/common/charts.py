"""Altair chart specs to SVG on the server (vl-convert): the one place every page renders one.

Altair validates a spec against the Vega-Lite JSON schema when it is turned into a dict (and, in
its "debug mode", every schema object as it is built), and with the data inlined that walk costs
far more than drawing (in one profile, 2.4 s of the 3.3 s
a two-year outcome chart took; vl-convert's drawing 0.19 s). Our specs come from code, not from
users, so production skips it; the test suite sets ``TENDERPOINT_VALIDATE_CHARTS`` and so
validates every chart it renders. Chart modules import this one before building a chart, so
the choice is made here once. vl-convert gets no base URL: a chart can load nothing.
"""

from __future__ import annotations

import base64
from typing import Any

import vl_convert as vlc
from altair.utils import schemapi
from django.conf import settings


def _validating() -> bool:
    return bool(getattr(settings, "TENDERPOINT_VALIDATE_CHARTS", False))


if _validating():
    schemapi.enable_debug_mode()
else:
    schemapi.disable_debug_mode()


class Datasets:
    """Rows kept out of Altair's object tree: a chart refers to them by name and they join the
    spec as it is drawn. Altair walks and converts every inlined row (a two-year series took
    0.25 s to build and serialise, against milliseconds by name)."""

    def __init__(self) -> None:
        self.values: dict[str, list[dict[str, Any]]] = {}

    def data(self, rows: list[dict[str, Any]]) -> Any:
        import altair as alt

        name = f"rows{len(self.values)}"
        self.values[name] = rows
        return alt.Data(name=name)


def render_svg(chart: Any, datasets: Datasets | None = None) -> str:
    """The chart as SVG text."""
    spec = chart.to_dict(validate=_validating())
    if datasets is not None and datasets.values:
        spec["datasets"] = {**spec.get("datasets", {}), **datasets.values}
    return str(vlc.vegalite_to_svg(spec, allowed_base_urls=[]))


def svg_data_uri(chart: Any, datasets: Datasets | None = None) -> str:
    """The chart as an ``<img src>`` data URI (the CSP allows ``data:`` images, not scripts)."""
    svg = render_svg(chart, datasets)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
