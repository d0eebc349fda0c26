"""Jenkins Sleep Scale, 4 items (Jenkins et al. 1988; reference §9.8).

Four items about the past month, each 0 (not at all) to 5 (22-31 days), total 0-20, higher is
worse. No universal cut-off exists (>= 12 is only "sometimes used"), so none is applied.
Intermediate anchors are recall [R]. The wording is printed in the original article without a
licensing programme; permission is unclear, so only topics and anchors ship.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import AnswerOption, Instrument, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import completeness, list_items
from tenderpoint.clinical.result import ScoreResult

ID = "jenkins_sleep_4"
VERSION = "jss4-jenkins1988/scoring-2"
MAX_POSSIBLE = 20
FIELDS = frozenset({"items"})
ANCHORS = (
    AnswerOption(0, "Not at all", score=0),
    AnswerOption(1, "1-3 days", score=1),
    AnswerOption(2, "4-7 days", score=2),
    AnswerOption(3, "8-14 days", score=3),
    AnswerOption(4, "15-21 days", score=4),
    AnswerOption(5, "22-31 days", score=5),
)
TOPICS = (
    "trouble_falling_asleep",
    "waking_several_times",
    "trouble_staying_asleep",
    "tired_on_waking",
)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Total of the four items."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    items = form.complete_items("items", 4, 0, 5)
    form.finish()
    total = sum(items)
    steps = (
        f"total {total} of {MAX_POSSIBLE} = {' + '.join(map(str, items))} (higher = worse sleep)",
    )
    outputs = {"total": total, "max_possible": MAX_POSSIBLE, **completeness()}
    return ScoreResult(ID, VERSION, outputs, steps)


INSTRUMENT = Instrument(
    id=ID,
    title="Jenkins Sleep Scale (4 items)",
    version="jss4-jenkins1988",
    scoring_version="2",
    citation=(
        "Jenkins CD, Stanton BA, Niemcryk SJ, Rose RM. A scale for the estimation of sleep "
        "problems in clinical research. J Clin Epidemiol 1988;41(4):313-321."
    ),
    licence=Licence(
        False,
        "Printed in the original article; no licensing programme found. Ask the publisher "
        "before embedding the wording.",
    ),
    recall_window="past month",
    kind="questionnaire",
    items=list_items("", ANCHORS, 4, ids=TOPICS),
    inputs={"items": "list of 4 answers 0-5"},
    outputs=("total", "max_possible", "complete", "missing_items"),
    score_range=ScoreRange("total", 0, 20),
    scorer=score,
)
