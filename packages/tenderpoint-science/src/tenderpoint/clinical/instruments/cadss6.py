"""CADSS-6: six items of the CADSS for monitoring ketamine dissociation (Rodrigues 2021; §9.9).

Items 1, 2, 6, 7, 15 and 22 of the full CADSS, each 0-4, total 0-24. Answers are best given by
CADSS item id (``{"item1": 0, "item2": 1, "item6": 0, "item7": 2, "item15": 0, "item22": 1}``):
in the positional list, position 3 is CADSS item 6, which misleads. Developed retrospectively
and, in its authors' words, it "remains unvalidated": there is no cut-off; discharge holds use the
clinic's own threshold, given as ``hold_discharge_at`` (reference §13.7).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import clinic_hold, completeness, list_items
from tenderpoint.clinical.instruments.cadss import ANCHORS, CADSS6_ITEMS, LICENCE
from tenderpoint.clinical.result import ScoreResult

ID = "cadss6"
VERSION = "cadss6-rodrigues2021/scoring-2"
MAX_POSSIBLE = 24
FIELDS = frozenset({"items", "hold_discharge_at"})


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Total of the six items."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    items = form.complete_items("items", 6, 0, 4)
    hold_at = (
        form.integer("hold_discharge_at", 0, 24) if form.present("hold_discharge_at") else None
    )
    form.finish()
    total = sum(items)
    terms = " + ".join(f"item {n} {v}" for n, v in zip(CADSS6_ITEMS, items, strict=True))
    steps = (
        f"total {total} of {MAX_POSSIBLE} = {terms} (CADSS item numbers)",
        "no validated cut-off",
    )
    hold, hold_step = clinic_hold(total, hold_at)
    outputs = {
        "total": total,
        "max_possible": MAX_POSSIBLE,
        "hold_discharge": hold,
        **completeness(),
    }
    return ScoreResult(ID, VERSION, outputs, (*steps, hold_step))


INSTRUMENT = Instrument(
    id=ID,
    title="CADSS-6 (six-item Clinician-Administered Dissociative States Scale)",
    version="cadss6-rodrigues2021",
    scoring_version="2",
    citation=(
        "Rodrigues NB, McIntyre RS, Lipsitz O, et al. A simplified 6-item clinician administered "
        "dissociative symptom scale (CADSS-6) for monitoring dissociative effects of "
        "sub-anesthetic ketamine infusions. J Affect Disord 2021."
    ),
    licence=LICENCE,
    recall_window="during or shortly after the infusion (current state)",
    kind="questionnaire",
    items=list_items("", ANCHORS, 6, ids=[f"item{n}" for n in CADSS6_ITEMS]),
    inputs={
        "items": "list of 6 answers 0-4 (CADSS items 1, 2, 6, 7, 15, 22 in that order); or give "
        "item1, item2, item6, item7, item15, item22 by CADSS item id",
        "hold_discharge_at": "optional clinic threshold 0-24: total at or above it holds discharge",
    },
    outputs=("total", "max_possible", "hold_discharge", "complete", "missing_items"),
    score_range=ScoreRange("total", 0, 24),
    scorer=score,
)
