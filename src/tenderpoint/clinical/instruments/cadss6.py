"""CADSS-6: six items of the CADSS for monitoring ketamine dissociation (Rodrigues 2021; §9.9).

Items 1, 2, 6, 7, 15 and 22 of the full CADSS, each 0-4, total 0-24. Developed retrospectively
and, in its authors' words, it "remains unvalidated": there is no cut-off; discharge holds use the
clinic's own threshold, given as ``hold_discharge_at`` (reference §13.7).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import clinic_hold, list_items
from tenderpoint.clinical.instruments.cadss import ANCHORS, CADSS6_ITEMS, LICENCE
from tenderpoint.clinical.result import ScoreResult

ID = "cadss6"
VERSION = "cadss6-rodrigues2021/scoring-1"
FIELDS = frozenset({"items", "hold_discharge_at"})


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Total of the six items."""
    form = Form(ID, answers, FIELDS)
    items = form.complete_items("items", 6, 0, 4)
    hold_at = (
        form.integer("hold_discharge_at", 0, 24) if form.present("hold_discharge_at") else None
    )
    form.finish()
    total = sum(items)
    steps = (
        f"total {total} of 24 = {' + '.join(map(str, items))} (CADSS items 1, 2, 6, 7, 15, 22)",
        "no validated cut-off",
    )
    hold, hold_step = clinic_hold(total, hold_at)
    return ScoreResult(ID, VERSION, {"total": total, "hold_discharge": hold}, (*steps, hold_step))


INSTRUMENT = Instrument(
    id=ID,
    title="CADSS-6 (six-item Clinician-Administered Dissociative States Scale)",
    version="cadss6-rodrigues2021",
    scoring_version="1",
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
        "items": "list of 6 answers 0-4 (CADSS items 1, 2, 6, 7, 15, 22 in that order)",
        "hold_discharge_at": "optional clinic threshold 0-24: total at or above it holds discharge",
    },
    outputs=("total", "hold_discharge"),
    score_range=ScoreRange("total", 0, 24),
    scorer=score,
)
