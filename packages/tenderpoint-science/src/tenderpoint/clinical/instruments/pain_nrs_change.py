"""Change in 0-10 pain ratings, in IMMPACT categories (Dworkin 2008, Farrar 2001; §11).

``improvement`` = baseline - follow-up (points, positive = better) and ``improvement_pct`` =
improvement / baseline x 100, exact, rounded half up to 4 decimals, then: none < 10 %; minimal 10
to < 30 %; moderate 30 to < 50 %; substantial >= 50 %; baseline 0 -> not computable. A worsening
is a negative improvement and falls in ``none``. ``moderate_improvement_met`` (>= 30 %, IMMPACT
"moderately important") and ``substantial_improvement_met`` (>= 50 %) are the two responder
thresholds.
Baseline is normally the mean daily NRS over the 7 days before the first infusion, so both
inputs accept fractional values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._change import (
    at_least,
    change_step,
    immpact_category,
    words,
)
from tenderpoint.clinical.instruments._common import NOT_APPLICABLE
from tenderpoint.clinical.numbers import plain, whole_or_float
from tenderpoint.clinical.result import ScoreResult

ID = "pain_nrs_change"
VERSION = "immpact2008/scoring-2"
FIELDS = frozenset({"baseline", "follow_up"})
MODERATE_PCT = 30.0
SUBSTANTIAL_PCT = 50.0


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Improvement of pain, in points and percent, and its IMMPACT category."""
    form = Form(ID, answers, FIELDS)
    baseline = form.number("baseline", 0, 10)
    follow_up = form.number("follow_up", 0, 10)
    whole = form.is_whole("baseline") and form.is_whole("follow_up")
    form.finish()
    percent, step = change_step("pain", baseline, follow_up)
    category = immpact_category(percent)
    moderate = at_least(percent, MODERATE_PCT)
    substantial = at_least(percent, SUBSTANTIAL_PCT)
    steps = (
        f"improvement {plain(baseline - follow_up)} points (baseline − follow-up; positive = "
        "better)",
        step,
        f"IMMPACT category {category.replace('_', ' ')} (< 10 % none, 10–< 30 % minimal, "
        "30–< 50 % moderate, ≥ 50 % substantial)",
        f"≥ {MODERATE_PCT:g} % (moderately important): {words(moderate)}; "
        f"≥ {SUBSTANTIAL_PCT:g} % (substantial): {words(substantial)}",
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "improvement": whole_or_float(baseline - follow_up, whole=whole),
            "improvement_pct": percent,
            "immpact_category": category,
            "moderate_improvement_met": moderate,
            "substantial_improvement_met": substantial,
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="Pain NRS change (IMMPACT categories)",
    version="immpact2008",
    scoring_version="2",
    citation=(
        "Dworkin RH, Turk DC, Wyrwich KW, et al. Interpreting the clinical importance of "
        "treatment outcomes in chronic pain clinical trials: IMMPACT recommendations. J Pain "
        "2008;9(2):105-121. doi:10.1016/j.jpain.2007.09.005. Farrar JT, Young JP, LaMoreaux L, "
        "Werth JL, Poole RM. Pain 2001;94(2):149-158. doi:10.1016/S0304-3959(01)00349-9"
    ),
    licence=NOT_APPLICABLE,
    recall_window=None,
    kind="derived",
    items=(
        Item("baseline", "baseline", "decimal", min_value=0, max_value=10),
        Item("follow_up", "follow_up", "decimal", min_value=0, max_value=10),
    ),
    inputs={
        "baseline": "pain 0-10 at baseline (e.g. 7-day mean before the first infusion)",
        "follow_up": "pain 0-10 at follow-up",
    },
    outputs=(
        "improvement",
        "improvement_pct",
        "immpact_category",
        "moderate_improvement_met",
        "substantial_improvement_met",
    ),
    score_range=ScoreRange("improvement", -10, 10),
    scorer=score,
)
