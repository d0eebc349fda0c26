"""Brief Pain Inventory, short form: severity and interference (Cleeland; reference §9.5).

No official total. Severity: "worst pain" and the mean of the four severity items (worst, least,
average, now; each 0-10, all required). Interference: mean of the answered items of seven (0-10),
valid when at least 4 of 7 are answered (ePPOC rule); otherwise ``interference_valid: false`` and
no mean. Item wording is copyrighted (© C. S. Cleeland; permission and fees): ids and anchors
only.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import list_items, numeric_options
from tenderpoint.clinical.numbers import plain
from tenderpoint.clinical.result import ScoreResult

ID = "bpi_sf"
VERSION = "bpi-sf/scoring-1"
SEVERITY = ("worst", "least", "average", "now")
INTERFERENCE = (
    "general_activity",
    "mood",
    "walking_ability",
    "normal_work",
    "relations_with_others",
    "sleep",
    "enjoyment_of_life",
)
FIELDS = frozenset({*SEVERITY, "interference"})
SEVERITY_OPTIONS = numeric_options(0, 10, {0: "No pain", 10: "Pain as bad as you can imagine"})
INTERFERENCE_OPTIONS = numeric_options(
    0, 10, {0: "Does not interfere", 10: "Completely interferes"}
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Worst pain, severity mean and interference mean (when valid)."""
    form = Form(ID, answers, FIELDS)
    severity = {name: form.integer(name, 0, 10) for name in SEVERITY}
    interference = form.items("interference", 7, 0, 10, allow_missing=True)
    form.finish()
    severity_mean = Fraction(sum(severity.values()), 4)
    answered = [v for v in interference if v is not None]
    valid = len(answered) >= 4
    mean = Fraction(sum(answered), len(answered)) if valid else None
    steps = (
        f"worst pain {severity['worst']}",
        f"severity mean {plain(severity_mean)} = ("
        + " + ".join(f"{k} {v}" for k, v in severity.items())
        + ") ÷ 4",
        f"interference: {len(answered)} of 7 answered"
        + (
            f" → mean {plain(mean)} = {sum(answered)} ÷ {len(answered)}"
            if mean is not None
            else " → not valid (needs ≥ 4)"
        ),
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "worst_pain": severity["worst"],
            "severity_mean": float(severity_mean),
            "interference_mean": None if mean is None else float(mean),
            "interference_items_answered": len(answered),
            "interference_valid": valid,
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="Brief Pain Inventory, short form (BPI-SF)",
    version="bpi-sf",
    scoring_version="1",
    citation=(
        "Cleeland CS. The Brief Pain Inventory User Guide. Houston (TX): The University of Texas "
        "MD Anderson Cancer Center; 2009. Cleeland CS, Ryan KM. Pain assessment: global use of "
        "the Brief Pain Inventory. Ann Acad Med Singapore 1994;23(2):129-138."
    ),
    licence=Licence(
        False,
        "© Charles S. Cleeland: may not be used or reproduced without permission; fees may "
        "apply; no modification or translation without written consent.",
    ),
    recall_window="last 24 hours (worst, least, average), now; interference: last 24 hours",
    kind="questionnaire",
    items=(
        *(Item(name, name, "choice", SEVERITY_OPTIONS) for name in SEVERITY),
        *list_items(
            "",
            INTERFERENCE_OPTIONS,
            7,
            ids=INTERFERENCE,
            field="interference",
            required=False,
        ),
    ),
    inputs={
        "worst": "0-10",
        "least": "0-10",
        "average": "0-10",
        "now": "0-10",
        "interference": "list of 7 answers 0-10 (null = not answered; >= 4 needed)",
    },
    outputs=(
        "worst_pain",
        "severity_mean",
        "interference_mean",
        "interference_items_answered",
        "interference_valid",
    ),
    score_range=ScoreRange("severity_mean", 0, 10),
    scorer=score,
)
