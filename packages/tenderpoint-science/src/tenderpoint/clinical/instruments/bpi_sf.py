"""Brief Pain Inventory, short form: severity and interference (Cleeland; reference §9.5).

No official total. Severity: "worst pain" and the mean of the four severity items (worst, least,
average, now; each 0-10, all required). Interference: mean of the answered items of seven (0-10),
scored when at least 4 of 7 are answered (ePPOC rule; the result then says ``complete: false``,
``missing_items`` and ``prorated: true``); with fewer the form is refused like every incomplete
form, naming each unanswered item. Item wording is copyrighted (© C. S. Cleeland; permission and
fees): ids and anchors only."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import completeness, list_items, numeric_options
from tenderpoint.clinical.numbers import plain
from tenderpoint.clinical.result import ScoreResult

ID = "bpi_sf"
VERSION = "bpi-sf/scoring-2"
INTERFERENCE_NEEDED = 4
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
    """Worst pain, pain severity mean and interference mean."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    severity = {name: form.integer(name, 0, 10) for name in SEVERITY}
    interference = form.items("interference", 7, 0, 10, allow_missing=True)
    gaps = [n for n, value in enumerate(interference) if value is None]
    if len(gaps) > 7 - INTERFERENCE_NEEDED:
        for n in gaps:
            form.missing(
                "interference", n, f"BPI-SF interference needs at least {INTERFERENCE_NEEDED} of 7"
            )
    form.finish()
    severity_mean = Fraction(sum(severity.values()), 4)
    answered = [v for v in interference if v is not None]
    mean = Fraction(sum(answered), len(answered))
    steps = (
        f"worst pain {severity['worst']}",
        f"pain severity mean {plain(severity_mean)} = ("
        + " + ".join(f"{k} {v}" for k, v in severity.items())
        + ") ÷ 4",
        f"interference: {len(answered)} of 7 answered (≥ {INTERFERENCE_NEEDED} needed) → mean "
        f"{plain(mean)} = {sum(answered)} ÷ {len(answered)}",
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "worst_pain": severity["worst"],
            "pain_severity_mean": float(severity_mean),
            "interference_mean": float(mean),
            "interference_answered_count": len(answered),
            "prorated": bool(gaps),
            **completeness([INTERFERENCE[n] for n in gaps]),
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="Brief Pain Inventory, short form (BPI-SF)",
    version="bpi-sf",
    scoring_version="2",
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
        "pain_severity_mean",
        "interference_mean",
        "interference_answered_count",
        "prorated",
        "complete",
        "missing_items",
    ),
    score_range=ScoreRange("pain_severity_mean", 0, 10),
    scorer=score,
)
