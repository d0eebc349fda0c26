"""Patient Global Impression of Change, Guy / CGI-I direction (reference §9.3, §11).

One answer 1-7: 1 very much improved ... 4 no change ... 7 very much worse. Responder = much or
very much improved (<= 2). IMMPACT categories: very much improved = substantial, much improved =
moderate, minimally improved = minimal, otherwise none. The Hurst & Bolton "PGIC" runs the other
way; it is a different instrument and must never be scored here (version ``pgic-guy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import AnswerOption, Instrument, Item, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import completeness, yes_no
from tenderpoint.clinical.result import ScoreResult

ID = "pgic"
VERSION = "pgic-guy/scoring-2"
RESPONDER_AT_MOST = 2
FIELDS = frozenset({"response"})
OPTIONS = (
    AnswerOption(1, "Very much improved", score=1),
    AnswerOption(2, "Much improved", score=2),
    AnswerOption(3, "Minimally improved", score=3),
    AnswerOption(4, "No change", score=4),
    AnswerOption(5, "Minimally worse", score=5),
    AnswerOption(6, "Much worse", score=6),
    AnswerOption(7, "Very much worse", score=7),
)
IMMPACT = {1: "substantial", 2: "moderate", 3: "minimal"}


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Label, responder flag and IMMPACT category of one PGIC answer."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    response = form.integer("response", 1, 7)
    form.finish()
    label = OPTIONS[response - 1].label
    responder = response <= RESPONDER_AT_MOST
    category = IMMPACT.get(response, "none")
    steps = (
        f"answer {response}: {label.lower()}",
        f"responder (much or very much improved, ≤ {RESPONDER_AT_MOST}): {yes_no(responder)}",
        f"IMMPACT category {category}",
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "response": response,
            "response_label": label,
            "responder": responder,
            "immpact_category": category,
            **completeness(),
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="Patient Global Impression of Change (PGIC, Guy/CGI-I direction)",
    version="pgic-guy",
    scoring_version="2",
    citation=(
        "Guy W. ECDEU Assessment Manual for Psychopharmacology. Rockville (MD): US Department of "
        "Health, Education, and Welfare; 1976 (CGI-I). NINDS Common Data Elements: PGIC. "
        "Responder: Dworkin RH, et al. J Pain 2008;9(2):105-121. doi:10.1016/j.jpain.2007.09.005"
    ),
    licence=Licence(True, "Public domain per the NINDS Common Data Elements."),
    recall_window="since the start of treatment",
    kind="questionnaire",
    items=(
        Item(
            "response",
            "response",
            "choice",
            OPTIONS,
            "Since the start of your treatment, how would you describe the change, if any, in "
            "your overall condition?",
        ),
    ),
    inputs={"response": "1-7 (1 very much improved, 4 no change, 7 very much worse)"},
    outputs=(
        "response",
        "response_label",
        "responder",
        "immpact_category",
        "complete",
        "missing_items",
    ),
    score_range=ScoreRange("response", 1, 7),
    scorer=score,
)
