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


def render_svg(chart: Any) -> str:
    """The chart as SVG text."""
    spec = chart.to_dict(validate=_validating())
    return str(vlc.vegalite_to_svg(spec, allowed_base_urls=[]))


def svg_data_uri(chart: Any) -> str:
    """The chart as an ``<img src>`` data URI (the CSP allows ``data:`` images, not scripts)."""
    return "data:image/svg+xml;base64," + base64.b64encode(render_svg(chart).encode()).decode()
