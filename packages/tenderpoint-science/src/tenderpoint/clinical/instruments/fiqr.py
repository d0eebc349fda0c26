"""Revised Fibromyalgia Impact Questionnaire, FIQR (Bennett et al. 2009; reference §8).

21 items on 0-10 in three domains, past 7 days. Function = sum of 9 items / 3 (0-30); overall
impact = sum of 2 items (0-20); symptoms = sum of 10 items / 2 (0-50); total 0-100.

Missing items follow the developer's current page (fiqr.info), chosen by the reference over the
older proration-for-all page: at most one missing *function* item, whose domain is prorated (sum x
9/8 / 3; the result says ``complete: false``, ``missing_items`` and ``prorated: true``); any other
missing item makes the form unscoreable, and like every incomplete form it raises
InvalidResponseError naming each missing item (docs/clinical.md, "Vocabulary"). The fiqr.info rule
about multiple marks on three or more items concerns paper forms and cannot arise here: each item
takes exactly one integer, so the clinic resolves multiple marks before entry.

Scores are exact fractions (multiples of 1/6, or 1/8 with proration); ``total_display_1dp``
rounds half up (2.25 -> 2.3), unlike Python's ``round``. Item wording is licensed (FIQR
developers / Mapi for the FIQ): it does not ship; item ids are ``function_1..9``,
``overall_1..2`` and ``symptoms_1..10`` and the anchors are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, Licence, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._common import completeness, list_items, numeric_options
from tenderpoint.clinical.numbers import plain_ratio, ratio_half_up
from tenderpoint.clinical.result import ScoreResult

ID = "fiqr"
VERSION = "fiqr-2009/scoring-2"
MAX_POSSIBLE = 100
FIELDS = frozenset({"function", "overall", "symptoms"})

SYMPTOM_TOPICS = (
    "pain",
    "energy",
    "stiffness",
    "sleep quality",
    "depression",
    "memory problems",
    "anxiety",
    "tenderness to touch",
    "balance problems",
    "sensitivity to noise, light, odours and cold",
)
"""Topic (not wording) of each symptom item, in the order the reference records [R]."""

RULE = {
    "function": "the FIQR is scored with at most one function item missing (fiqr.info)",
    "overall": "the FIQR needs both overall-impact items (fiqr.info)",
    "symptoms": "the FIQR needs all ten symptom items (fiqr.info)",
}


def _check_missing(form: Form, lists: dict[str, list[int | None]]) -> list[str]:
    """Record every missing answer the developer's rule does not allow; the ids of all missing."""
    missing_ids: list[str] = []
    if not any(None in values for values in lists.values()):
        return missing_ids  # the common case, a complete form: nothing to look for
    for name, values in lists.items():
        gaps = [n for n, value in enumerate(values) if value is None]
        missing_ids += [f"{name}_{n + 1}" for n in gaps]
        if name == "function" and len(gaps) <= 1:
            continue
        for n in gaps:
            form.missing(name, n, RULE[name])
    return missing_ids


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Score the FIQR; a form missing more than the developer's rule allows is refused."""
    form = Form(ID, answers, FIELDS, INSTRUMENT.items)
    function = form.items("function", 9, 0, 10, allow_missing=True)
    overall_items = form.items("overall", 2, 0, 10, allow_missing=True)
    symptom_items = form.items("symptoms", 10, 0, 10, allow_missing=True)
    missing = _check_missing(
        form, {"function": function, "overall": overall_items, "symptoms": symptom_items}
    )
    form.finish()

    # Exact arithmetic in 24ths: function / 3 (x 9/8 when prorated), overall / 1, symptoms / 2
    # are all whole multiples of 1/24, so integers carry every score without rounding.
    # filter(None, ...) drops the missing answer (and zeros, which add nothing).
    function_sum = sum(filter(None, function))
    answered = 9 - len(missing)
    prorated = answered == 8
    function_24 = function_sum * (9 if prorated else 8)
    overall = sum(filter(None, overall_items))
    symptoms_sum = sum(filter(None, symptom_items))
    total_24 = function_24 + 24 * overall + 12 * symptoms_sum
    display = ratio_half_up(total_24, 24, 1)

    def explain() -> tuple[str, ...]:
        function_text = plain_ratio(function_24, 24)
        return (
            f"function {function_text} = {function_sum} × 9/8 ÷ 3 (one item missing, prorated)"
            if prorated
            else f"function {function_text} = {function_sum} ÷ 3",
            f"overall impact {overall} = {overall} ÷ 1",
            f"symptoms {plain_ratio(symptoms_sum, 2)} = {symptoms_sum} ÷ 2",
            f"total {plain_ratio(total_24, 24)} → {display:.1f} of {MAX_POSSIBLE} "
            "(rounded half up to 1 decimal)",
        )

    return ScoreResult(
        ID,
        VERSION,
        {
            "function_domain": function_24 / 24,
            "overall_domain": overall,
            "symptom_domain": symptoms_sum / 2,
            "total": total_24 / 24,
            "total_display_1dp": display,
            "max_possible": MAX_POSSIBLE,
            "function_answered_count": answered,
            "prorated": prorated,
            **completeness(missing),
        },
        explain,
    )


_ANCHORS_FUNCTION = numeric_options(0, 10, {0: "No difficulty", 10: "Very difficult"})
_ANCHORS_OVERALL = numeric_options(0, 10, {0: "Never", 10: "Always"})
_ANCHORS_SYMPTOMS = numeric_options(0, 10, {0: "Best (none)", 10: "Worst"})

INSTRUMENT = Instrument(
    id=ID,
    title="Revised Fibromyalgia Impact Questionnaire (FIQR)",
    version="fiqr-2009",
    scoring_version="2",
    citation=(
        "Bennett RM, Friend R, Jones KD, Ward R, Han BK, Ross RL. The Revised Fibromyalgia Impact "
        "Questionnaire (FIQR): validation and psychometric properties. Arthritis Res Ther "
        "2009;11(4):R120. doi:10.1186/ar2783. Scoring: fiqr.info 'Scoring the FIQR and SIQR'."
    ),
    licence=Licence(
        False,
        "Item wording is copyrighted and licensed by the developers (FIQ via Mapi Research "
        "Trust); load the clinic's licensed wording with tenderpoint.clinical.load_wording. "
        "The scoring algorithm is not protected.",
    ),
    recall_window="past 7 days",
    kind="questionnaire",
    items=(
        *list_items("function_", _ANCHORS_FUNCTION, 9, field="function", required=False),
        *list_items("overall_", _ANCHORS_OVERALL, 2, field="overall"),
        *list_items("symptoms_", _ANCHORS_SYMPTOMS, 10, field="symptoms"),
    ),
    inputs={
        "function": "list of 9 answers 0-10 (null = missing; one missing is prorated)",
        "overall": "list of 2 answers 0-10 (a missing one is refused)",
        "symptoms": "list of 10 answers 0-10 (a missing one is refused)",
    },
    outputs=(
        "function_domain",
        "overall_domain",
        "symptom_domain",
        "total",
        "total_display_1dp",
        "max_possible",
        "function_answered_count",
        "prorated",
        "complete",
        "missing_items",
    ),
    score_range=ScoreRange("total", 0, 100),
    scorer=score,
)
