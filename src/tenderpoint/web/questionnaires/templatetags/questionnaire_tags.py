"""How a stored questionnaire result reads on the clinician's page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import template

from tenderpoint.clinical import Instrument
from tenderpoint.web.questionnaires.rendering import patient_title as _patient_title

register = template.Library()

#: the core's output names whose plain reading is not just the name with spaces
_LABELS = {
    "max_possible": "maximum possible",
    "item9_positive": "item 9 above 0",
    "severity_band_label": "severity",
    "missing_items": "missing items",
}


def _value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "none"
    return str(value)


@register.filter
def readable_outputs(outputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The core's outputs as (label, value) pairs: yes/no, not True/False or [].

    ``severity_band`` is the machine form of ``severity_band_label``; only the label is shown
    when both are present, so the same fact is not listed twice.
    """
    hidden = {"severity_band"} if "severity_band_label" in outputs else set()
    return [
        (_LABELS.get(name, name.replace("_", " ")), _value(value))
        for name, value in outputs.items()
        if name not in hidden
    ]


#: a recall window reads after "Think about the …" only when it is a plain span of time
_PLAIN_SPAN = re.compile(r"^(last|past) (\d+ )?(hours?|days?|weeks?|months?|week|month)$")


@register.filter
def recall_lead(recall_window: str | None) -> str:
    """The sentence that opens a patient's questionnaire, or "" when none reads well.

    The cores describe a recall window for clinicians ("since the start of treatment", "last
    24 hours (worst, least, average), now; …"); only a plain span such as "last 2 weeks"
    makes a sentence after "Think about the". Otherwise the questions name their own period.
    """
    if recall_window and _PLAIN_SPAN.match(recall_window):
        return f"Think about the {recall_window}."
    return ""


@register.filter
def patient_title(instrument: Instrument) -> str:
    """The instrument's name as a patient reads it (see ``rendering.PATIENT_TITLES``)."""
    return _patient_title(instrument)
