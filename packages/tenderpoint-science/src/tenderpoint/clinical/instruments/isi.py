"""Insomnia Severity Index (Morin; Bastien, Vallières, Morin 2001; reference §9.6).

Seven items 0-4 over the last 2 weeks, total 0-28: 0-7 no clinically significant insomnia,
8-14 subthreshold, 15-21 clinical insomnia (moderate), 22-28 clinical insomnia (severe).
Item wording is licensed (© C. M. Morin): ids and anchors only; load licensed wording to show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import (
    band_words,
    completeness,
    list_items,
    numeric_options,
    severity,
)
from tenderpoint.clinical.result import ScoreResult

ID = "isi"
VERSION = "isi/scoring-2"
FIELDS = frozenset({"items"})
MAX_POSSIBLE = 28
BANDS = (
    (7, "no_clinically_significant_insomnia", "no clinically significant insomnia"),
    (14, "subthreshold_insomnia", "subthreshold insomnia"),
    (21, "clinical_insomnia_moderate", "clinical insomnia (moderate severity)"),
    (28, "clinical_insomnia_severe", "clinical insomnia (severe)"),
)
"""Published wording (Bastien 2001; reference §9.6), never shortened: ``moderate`` alone would
collide with the PHQ-9 and GAD-7 bands of the same name."""
BAND_WORDS = band_words(BANDS)
TOPICS = (
    "difficulty_falling_asleep",
    "difficulty_staying_asleep",
    "waking_too_early",
    "satisfaction_with_sleep",
    "noticeable_to_others",
    "worry_distress",
    "interference_with_daily_functioning",
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Total and severity band."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    items = form.complete_items("items", 7, 0, 4)
    form.finish()
    total = sum(items)
    bands = severity(total, BANDS)
    steps = (
        f"total {total} = {' + '.join(map(str, items))}",
        f"total {total} of {MAX_POSSIBLE}: {bands['severity_band_label']} ({BAND_WORDS})",
    )
    outputs = {"total": total, "max_possible": MAX_POSSIBLE, **bands, **completeness()}
    return ScoreResult(ID, VERSION, outputs, steps)


INSTRUMENT = Instrument(
    id=ID,
    title="Insomnia Severity Index (ISI)",
    version="isi",
    scoring_version="2",
    citation=(
        "Bastien CH, Vallières A, Morin CM. Validation of the Insomnia Severity Index as an "
        "outcome measure for insomnia research. Sleep Med 2001;2(4):297-307. "
        "doi:10.1016/S1389-9457(00)00065-4"
    ),
    licence=Licence(
        False,
        "© Charles M. Morin (Université Laval); permission required, commercial licensing via "
        "Mapi Research Trust. Load licensed wording with load_wording.",
    ),
    recall_window="last 2 weeks",
    kind="questionnaire",
    items=list_items(
        "",
        numeric_options(
            0,
            4,
            {
                0: "None / very satisfied / not at all",
                4: "Very severe / very dissatisfied / very much",
            },
        ),
        7,
        ids=TOPICS,
    ),
    inputs={"items": "list of 7 answers 0-4"},
    outputs=(
        "total",
        "max_possible",
        "severity_band",
        "severity_band_label",
        "complete",
        "missing_items",
    ),
    score_range=ScoreRange("total", 0, MAX_POSSIBLE),
    scorer=score,
)
