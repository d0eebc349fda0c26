"""Responder thresholds shared by every caller (reference §11): the one place they are defined.

The clinical scorers use them one form at a time; the outcomes core applies the same numbers
to whole cohorts as polars expressions.
"""

from __future__ import annotations

IMMPACT_CITATION = (
    "Dworkin RH, Turk DC, Wyrwich KW, et al. Interpreting the clinical importance of treatment "
    "outcomes in chronic pain clinical trials: IMMPACT recommendations. J Pain 2008;9:105-121."
)

#: (lowest percent reduction, category), highest first; below the last floor: "none".
IMMPACT_FLOORS_PCT: tuple[tuple[float, str], ...] = (
    (50.0, "substantial"),
    (30.0, "moderate"),
    (10.0, "minimal"),
)
IMMPACT_BELOW_FLOORS = "none"

#: FM30 (Arnold et al. 2012): percent reduction needed in each domain; other domains 30 %.
FM30_THRESHOLDS_PCT: dict[str, float] = {"pain": 30.0, "function": 10.0}
FM30_OTHER_DOMAIN_PCT = 30.0


def immpact_category(percent_reduction: float | None) -> str:
    """The IMMPACT category of a percent reduction; ``not_computable`` for None."""
    if percent_reduction is None:
        return "not_computable"
    for floor, label in IMMPACT_FLOORS_PCT:
        if percent_reduction >= floor:
            return label
    return IMMPACT_BELOW_FLOORS
