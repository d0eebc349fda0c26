"""Pain intensity 0-10 numeric rating scale and its severity band (reference §9.4).

Default bands (cut points 5 and 7, Serlin et al. 1995): 0 none, 1-4 mild, 5-6 moderate, 7-10
severe. Some services use 1-3 / 4-6 / 7-10; choose it with ``scheme: "three_band_4_7"``. The
recall window (now / average of the last 24 h / average of the last 7 days) is recorded with the
answer. An average of daily ratings may be fractional, so ``nrs`` accepts any number 0-10 and is
banded on its exact value (e.g. 4.5 is mild under the default bands, below the cut point 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import AnswerOption, Instrument, Item, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import completeness
from tenderpoint.clinical.numbers import plain, whole_or_float
from tenderpoint.clinical.result import ScoreResult

ID = "pain_nrs_severity"
VERSION = "nrs11/scoring-2"
FIELDS = frozenset({"nrs", "recall", "scheme"})
SCHEMES = {"serlin1995": (5, 7), "three_band_4_7": (4, 7)}
"""Scheme -> (first moderate value, first severe value); 0 is always none."""
RECALLS = ("now", "average_24h", "average_7d")
OPTIONS = tuple(
    AnswerOption(
        n,
        {0: "No pain", 10: "Worst pain imaginable"}.get(n, str(n)),
        score=n,
        loinc={0: "LA6111-4", 10: "LA13942-0"}.get(n),
    )
    for n in range(11)
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Severity band of a 0-10 pain rating."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    nrs = form.number("nrs", 0, 10)
    whole = form.is_whole("nrs")
    recall = form.choice("recall", RECALLS, "now")
    scheme = form.choice("scheme", tuple(SCHEMES), "serlin1995")
    form.finish()
    moderate, severe = SCHEMES[scheme]
    if nrs == 0:
        severity = "none"
    elif nrs < moderate:
        severity = "mild"
    elif nrs < severe:
        severity = "moderate"
    else:
        severity = "severe"
    steps = (
        f"pain {plain(nrs)}/10 ({recall.replace('_', ' ')})",
        f"{severity} (0 none; mild below {moderate}; moderate {moderate} to below {severe}; "
        f"severe {severe}–10; scheme {scheme})",
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "nrs": whole_or_float(nrs, whole=whole),
            "severity_band": severity,
            "severity_band_label": severity,
            "recall": recall,
            "scheme": scheme,
            **completeness(),
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="Pain intensity, 0-10 numeric rating scale",
    version="nrs11",
    scoring_version="2",
    citation=(
        "Serlin RC, Mendoza TR, Nakamura Y, Edwards KR, Cleeland CS. When is cancer pain mild, "
        "moderate or severe? Grading pain severity by its interference with function. Pain "
        "1995;61(2):277-284 (cut points 5 and 7; citation from recall)."
    ),
    licence=Licence(True, "Generic 0-10 scale without an owner; the wording here is our own."),
    recall_window="as recorded: now, average of the last 24 hours or of the last 7 days",
    kind="questionnaire",
    items=(
        Item(
            "nrs",
            "nrs",
            "choice",
            OPTIONS,
            "On a scale from 0 (no pain) to 10 (worst pain imaginable), how would you rate your "
            "pain?",
            loinc="72514-3",
        ),
    ),
    inputs={
        "nrs": "pain 0-10 (a whole number, or a mean of daily ratings)",
        "recall": "optional: now (default), average_24h or average_7d",
        "scheme": "optional: serlin1995 (default: 1-4/5-6/7-10) or three_band_4_7 (1-3/4-6/7-10)",
    },
    outputs=(
        "nrs",
        "severity_band",
        "severity_band_label",
        "recall",
        "scheme",
        "complete",
        "missing_items",
    ),
    score_range=ScoreRange("nrs", 0, 10),
    scorer=score,
    loinc_total="72514-3",
)
