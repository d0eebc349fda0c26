"""Clinician-Administered Dissociative States Scale, 23 subjective items (reference §9.9).

Each item 0-4 (not at all, slightly, moderately, considerably, extremely), total 0-92, as used in
the ketamine literature. Because CADSS-6 takes items 1, 2, 6, 7, 15 and 22 of the full scale, its
total is reported from the same answers (``cadss6_total``). There is no published cut-off; with
the clinic's own ``hold_discharge_at`` the result says whether discharge is held (§13.7).
Subscale composition is recall only in the reference, so no subscales are computed. Wording:
ask the author (© J. D. Bremner [R]); ids and anchors only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import AnswerOption, Instrument, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import clinic_hold, completeness, list_items
from tenderpoint.clinical.result import ScoreResult

ID = "cadss"
VERSION = "cadss-23/scoring-2"
MAX_POSSIBLE = 92
FIELDS = frozenset({"items", "hold_discharge_at"})
CADSS6_ITEMS = (1, 2, 6, 7, 15, 22)
"""1-based item numbers of the full CADSS that make up CADSS-6 (Rodrigues 2021)."""
ANCHORS = (
    AnswerOption(0, "Not at all", score=0),
    AnswerOption(1, "Slightly", score=1),
    AnswerOption(2, "Moderately", score=2),
    AnswerOption(3, "Considerably", score=3),
    AnswerOption(4, "Extremely", score=4),
)
LICENCE = Licence(
    False,
    "© J. Douglas Bremner (recall, unverified); request permission before showing item wording.",
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Total of the 23 subjective items and the embedded CADSS-6 total."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    items = form.complete_items("items", 23, 0, 4)
    hold_at = (
        form.integer("hold_discharge_at", 0, 92) if form.present("hold_discharge_at") else None
    )
    form.finish()
    total = sum(items)
    six = sum(items[n - 1] for n in CADSS6_ITEMS)
    steps = (
        f"total {total} of 92 = sum of the 23 subjective items",
        f"CADSS-6 {six} of 24 = items 1, 2, 6, 7, 15, 22 "
        f"({' + '.join(str(items[n - 1]) for n in CADSS6_ITEMS)})",
    )
    hold, hold_step = clinic_hold(total, hold_at)
    return ScoreResult(
        ID,
        VERSION,
        {
            "total": total,
            "max_possible": MAX_POSSIBLE,
            "cadss6_total": six,
            "hold_discharge": hold,
            **completeness(),
        },
        (*steps, hold_step),
    )


INSTRUMENT = Instrument(
    id=ID,
    title="Clinician-Administered Dissociative States Scale (CADSS, 23 subjective items)",
    version="cadss-23",
    scoring_version="2",
    citation=(
        "Bremner JD, Krystal JH, Putnam FW, Southwick SM, Marmar C, Charney DS, Mazure CM. "
        "Measurement of dissociative states with the Clinician-Administered Dissociative States "
        "Scale (CADSS). J Trauma Stress 1998;11(1):125-136."
    ),
    licence=LICENCE,
    recall_window="during or shortly after the infusion (current state)",
    kind="questionnaire",
    items=list_items("item", ANCHORS, 23),
    inputs={
        "items": "list of 23 answers 0-4",
        "hold_discharge_at": "optional clinic threshold 0-92: total at or above it holds discharge",
    },
    outputs=(
        "total",
        "max_possible",
        "cadss6_total",
        "hold_discharge",
        "complete",
        "missing_items",
    ),
    score_range=ScoreRange("total", 0, 92),
    scorer=score,
)
