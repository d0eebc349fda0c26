"""Change in the FIQR total against the FIQ minimal clinically important difference (§8, §11).

Bennett et al. 2009 found a ~14 % reduction of the original FIQ total clinically important
(anchored on PGIC). No FIQR-specific MCID was verified, so applying 14 % to the FIQR is an
extrapolation and every result says so (``mcid_basis``). Inputs are named as for
``pain_nrs_change`` (``baseline``, ``follow_up``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.clinical.definition import Instrument, Item, ScoreRange
from tenderpoint.clinical.form import Form
from tenderpoint.clinical.instruments._change import at_least, change_step, words
from tenderpoint.clinical.instruments._common import NOT_APPLICABLE
from tenderpoint.clinical.numbers import plain
from tenderpoint.clinical.result import ScoreResult

ID = "fiqr_change"
VERSION = "fiqr-change-bennett2009/scoring-1"
FIELDS = frozenset({"baseline", "follow_up"})
MCID_PERCENT = 14.0
MCID_BASIS = "FIQ MCID ≥ 14 % reduction (Bennett 2009), extrapolated to the FIQR"


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Percent reduction of the FIQR total and whether it reaches 14 %."""
    form = Form(ID, answers, FIELDS)
    baseline = form.number("baseline", 0, 100)
    follow_up = form.number("follow_up", 0, 100)
    form.finish()
    percent, step = change_step("FIQR total", baseline, follow_up)
    met = at_least(percent, MCID_PERCENT)
    steps = (
        step,
        f"reduction ≥ 14 %: {words(met)}",
        MCID_BASIS,
    )
    return ScoreResult(
        ID,
        VERSION,
        {
            "change": float(follow_up - baseline),
            "percent_reduction": percent,
            "mcid_met": met,
            "mcid_basis": MCID_BASIS,
        },
        (f"change {plain(follow_up - baseline)} points", *steps),
    )


INSTRUMENT = Instrument(
    id=ID,
    title="FIQR change and minimal clinically important difference (extrapolated from the FIQ)",
    version="fiqr-change-bennett2009",
    scoring_version="1",
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
    outputs=("change", "percent_reduction", "mcid_met", "mcid_basis"),
    score_range=ScoreRange("change", -100, 100),
    scorer=score,
)
