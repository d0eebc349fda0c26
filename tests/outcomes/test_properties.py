"""Hypothesis properties: the vectorised IMMPACT path agrees with the exact decimal one, and
percent reduction is monotone in the follow-up score."""

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tenderpoint.outcomes.response import (
    immpact_category,
    immpact_category_expr,
    percent_reduction,
)

tenths = st.integers(min_value=0, max_value=100).map(lambda i: i / 10)


@given(baseline=tenths, follow_up=tenths)
def test_vectorised_category_equals_exact_category(baseline: float, follow_up: float) -> None:
    df = pl.DataFrame({"b": [baseline], "f": [follow_up]})
    got = df.select(immpact_category_expr(percent_reduction(pl.col("b"), pl.col("f")))).item()
    assert got == immpact_category(baseline, follow_up)


@given(baseline=tenths.filter(lambda b: b > 0), a=tenths, b=tenths)
def test_lower_follow_up_never_gives_a_smaller_reduction(
    baseline: float, a: float, b: float
) -> None:
    lo, hi = min(a, b), max(a, b)
    df = pl.DataFrame({"b": [baseline, baseline], "f": [lo, hi]})
    pct = df.select(percent_reduction(pl.col("b"), pl.col("f"))).to_series().to_list()
    assert pct[0] >= pct[1]
