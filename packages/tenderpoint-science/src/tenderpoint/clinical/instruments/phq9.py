"""Patient Health Questionnaire-9 (Kroenke, Spitzer, Williams 2001; reference §9.1).

Nine items 0-3 over the last 2 weeks, total 0-27; severity 0-4 none-minimal, 5-9 mild, 10-14
moderate, 15-19 moderately severe, 20-27 severe; a total >= 10 screens positive for major
depression (sensitivity and specificity 88 %, Kroenke 2001; ``screen_positive``, as GAD-7). Item 9
(thoughts of being better off dead or of self-harm) > 0 raises ``item9_positive`` whatever the
total: the web layer turns it into an immediate clinician task and shows crisis resources. All nine
items are required (no proration in clinical use). The optional tenth item (difficulty) is
recorded, never scored. The optional major-depressive-syndrome algorithm counts items at "more than
half the days" or more, item 9 at any answer above 0 [R in the reference], and needs item 1 or 2
among them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import AnswerOption, Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import (
    FREE_PHQ,
    band_words,
    completeness,
    list_items,
    severity,
    yes_no,
)
from tenderpoint.clinical.result import ScoreResult

ID = "phq9"
VERSION = "phq9/scoring-2"
FIELDS = frozenset({"items", "difficulty"})
MAX_POSSIBLE = 27
SCREEN_AT = 10
BANDS = (
    (4, "none_minimal", "none–minimal"),
    (9, "mild", "mild"),
    (14, "moderate", "moderate"),
    (19, "moderately_severe", "moderately severe"),
    (27, "severe", "severe"),
)
BAND_WORDS = band_words(BANDS)

FREQUENCY = (
    AnswerOption(0, "Not at all", score=0, loinc="LA6568-5"),
    AnswerOption(1, "Several days", score=1, loinc="LA6569-3"),
    AnswerOption(2, "More than half the days", score=2, loinc="LA6570-1"),
    AnswerOption(3, "Nearly every day", score=3, loinc="LA6571-9"),
)
DIFFICULTY = (
    AnswerOption(0, "Not difficult at all"),
    AnswerOption(1, "Somewhat difficult"),
    AnswerOption(2, "Very difficult"),
    AnswerOption(3, "Extremely difficult"),
)
TEXTS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being "
    "so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
LOINC_ITEMS = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Total, severity band, the >= 10 screen, the item-9 safety flag and the syndrome algorithm."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    items = form.complete_items("items", 9, 0, 3)
    difficulty = form.integer("difficulty", 0, 3) if form.present("difficulty") else None
    form.finish()
    total = sum(items)
    bands = severity(total, BANDS)
    item9 = items[8] > 0
    counted = [n for n, v in enumerate(items) if v >= 2 or (n == 8 and v >= 1)]
    syndrome = len(counted) >= 5 and (0 in counted or 1 in counted)
    steps = (
        f"total {total} = {' + '.join(map(str, items))}",
        f"total {total} of {MAX_POSSIBLE}: severity {bands['severity_band_label']} ({BAND_WORDS})",
        f"total ≥ {SCREEN_AT} (screening cut point for major depression): "
        f"{yes_no(total >= SCREEN_AT)}",
        f"item 9 answered {items[8]} → safety flag {'RAISED: follow up today' if item9 else 'no'}"
        " (independent of the total)",
        f"{len(counted)} of 9 items at more than half the days or more (item 9: any answer), "
        f"item 1 or 2 among them: {yes_no(0 in counted or 1 in counted)} → major depressive "
        f"syndrome algorithm {'positive' if syndrome else 'negative'}",
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "total": total,
            "max_possible": MAX_POSSIBLE,
            **bands,
            "screen_positive": total >= SCREEN_AT,
            "item9_positive": item9,
            "major_depressive_syndrome": syndrome,
            "difficulty": difficulty,
            **completeness(),
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="Patient Health Questionnaire-9 (PHQ-9)",
    version="phq9",
    scoring_version="2",
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity "
        "measure. J Gen Intern Med 2001;16(9):606-613. doi:10.1046/j.1525-1497.2001.016009606.x"
    ),
    licence=FREE_PHQ,
    recall_window="last 2 weeks",
    kind="questionnaire",
    items=(
        *list_items("item", FREQUENCY, 9, texts=TEXTS, loincs=LOINC_ITEMS),
        Item(
            "difficulty",
            "difficulty",
            "choice",
            DIFFICULTY,
            "If you checked off any problems, how difficult have these problems made it for you "
            "to do your work, take care of things at home, or get along with other people?",
            required=False,
            loinc="69722-7",
        ),
    ),
    inputs={
        "items": "list of 9 answers 0-3",
        "difficulty": "optional 0-3 (not scored)",
    },
    outputs=(
        "total",
        "max_possible",
        "severity_band",
        "severity_band_label",
        "screen_positive",
        "item9_positive",
        "major_depressive_syndrome",
        "difficulty",
        "complete",
        "missing_items",
    ),
    score_range=ScoreRange("total", 0, MAX_POSSIBLE),
    scorer=score,
    loinc_panel="44249-1",
    loinc_total="44261-6",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the "
    "following problems?",
)
