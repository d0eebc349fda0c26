"""Generalized Anxiety Disorder-7 (Spitzer et al. 2006; reference §9.2).

Seven items 0-3 over the last 2 weeks, total 0-21; bands 0-4 minimal, 5-9 mild, 10-14 moderate,
15-21 severe; a total >= 10 is the usual screening cut point (``screen_positive``). All items are
required.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import (
    FREE_PHQ,
    band_words,
    completeness,
    list_items,
    severity,
    yes_no,
)
from tenderpoint.clinical.instruments.phq9 import FREQUENCY
from tenderpoint.clinical.result import ScoreResult

ID = "gad7"
VERSION = "gad7/scoring-2"
FIELDS = frozenset({"items"})
MAX_POSSIBLE = 21
SCREEN_AT = 10
BANDS = (
    (4, "minimal", "minimal"),
    (9, "mild", "mild"),
    (14, "moderate", "moderate"),
    (21, "severe", "severe"),
)
BAND_WORDS = band_words(BANDS)
TEXTS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
LOINC_ITEMS = ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7")


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Total, severity band and the >= 10 screening result."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    items = form.complete_items("items", 7, 0, 3)
    form.finish()
    total = sum(items)
    bands = severity(total, BANDS)
    steps = (
        f"total {total} = {' + '.join(map(str, items))}",
        f"total {total} of {MAX_POSSIBLE}: severity {bands['severity_band_label']} ({BAND_WORDS})",
        f"total ≥ {SCREEN_AT} (screening cut point): {yes_no(total >= SCREEN_AT)}",
    )
    outputs = {
        "total": total,
        "max_possible": MAX_POSSIBLE,
        **bands,
        "screen_positive": total >= SCREEN_AT,
        **completeness(),
    }
    return ScoreResult(ID, VERSION, outputs, steps)


INSTRUMENT = Instrument(
    id=ID,
    title="Generalized Anxiety Disorder-7 (GAD-7)",
    version="gad7",
    scoring_version="2",
    citation=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized "
        "anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092-1097. "
        "doi:10.1001/archinte.166.10.1092"
    ),
    licence=FREE_PHQ,
    recall_window="last 2 weeks",
    kind="questionnaire",
    items=list_items("item", FREQUENCY, 7, texts=TEXTS, loincs=LOINC_ITEMS),
    inputs={"items": "list of 7 answers 0-3"},
    outputs=(
        "total",
        "max_possible",
        "severity_band",
        "severity_band_label",
        "screen_positive",
        "complete",
        "missing_items",
    ),
    score_range=ScoreRange("total", 0, MAX_POSSIBLE),
    scorer=score,
    loinc_panel="69737-5",
    loinc_total="70274-6",
    instructions="Over the last 2 weeks, how often have you been bothered by the following "
    "problems?",
)
