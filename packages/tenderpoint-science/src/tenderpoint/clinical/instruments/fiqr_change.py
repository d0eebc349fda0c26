"""Change in the FIQR total against the FIQ minimal clinically important difference (§8, §11).

Bennett et al. 2009 found a ~14 % reduction of the original FIQ total clinically important
(anchored on PGIC). No FIQR-specific MCID was verified, so applying 14 % to the FIQR is an
extrapolation and every result says so (``mcid_basis``). Inputs and outputs are named as for
``pain_nrs_change``: ``improvement`` = baseline - follow-up (positive = better) and
``improvement_pct``; ``mcid_met`` is ``improvement_pct`` >= 14.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._change import at_least, change_step, words
from tenderpoint.clinical.instruments._common import NOT_APPLICABLE
from tenderpoint.clinical.numbers import plain, whole_or_float
from tenderpoint.clinical.result import ScoreResult

ID = "fiqr_change"
VERSION = "fiqr-change-bennett2009/scoring-2"
FIELDS = frozenset({"baseline", "follow_up"})
MCID_PERCENT = 14.0
MCID_BASIS = "FIQ MCID ≥ 14 % reduction (Bennett 2009), extrapolated to the FIQR"


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Improvement of the FIQR total and whether it reaches 14 %."""
    form = Form(ID, answers, FIELDS)
    baseline = form.number("baseline", 0, 100)
    follow_up = form.number("follow_up", 0, 100)
    whole = form.is_whole("baseline") and form.is_whole("follow_up")
    form.finish()
    percent, step = change_step("FIQR total", baseline, follow_up)
    met = at_least(percent, MCID_PERCENT)
    steps = (
        f"improvement {plain(baseline - follow_up)} points (baseline − follow-up; positive = "
        "better)",
        step,
        f"improvement ≥ {MCID_PERCENT:g} %: {words(met)}",
        MCID_BASIS,
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "improvement": whole_or_float(baseline - follow_up, whole=whole),
            "improvement_pct": percent,
            "mcid_met": met,
            "mcid_basis": MCID_BASIS,
        },
        steps,
    )


INSTRUMENT = Instrument(
    id=ID,
    title="FIQR change and minimal clinically important difference (extrapolated from the FIQ)",
    version="fiqr-change-bennett2009",
    scoring_version="2",
    citation=(
        "Bennett RM, Bushmakin AG, Cappelleri JC, Zlateva G, Sadosky AB. Minimal clinically "
        "important difference in the fibromyalgia impact questionnaire. J Rheumatol "
        "2009;36(6):1304-1311."
    ),
    licence=NOT_APPLICABLE,
    recall_window=None,
    kind="derived",
    items=(
        Item("baseline", "baseline", "decimal", min_value=0, max_value=100),
        Item("follow_up", "follow_up", "decimal", min_value=0, max_value=100),
    ),
    inputs={
        "baseline": "FIQR total at baseline, number 0-100",
        "follow_up": "FIQR total at follow-up, number 0-100",
    },
    outputs=("improvement", "improvement_pct", "mcid_met", "mcid_basis"),
    score_range=ScoreRange("improvement", -100, 100),
    scorer=score,
)
