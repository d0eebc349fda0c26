"""The notebook helpers shared by the cores (tenderpoint._display)."""

import dataclasses
import datetime as dt
import json
import math

import numpy as np

from tenderpoint._display import html_table, plain


@dataclasses.dataclass(frozen=True)
class _Row:
    name: str
    values: np.ndarray
    tags: frozenset[str]


def test_plain_converts_arrays_sets_dates_and_non_finite_numbers() -> None:
    row = _Row("a<b", np.array([1.5, math.nan, math.inf]), frozenset({"z", "a"}))
    out = plain({"row": row, "when": dt.date(2026, 1, 2), "n": np.int64(3)})
    assert out == {
        "row": {"name": "a<b", "values": [1.5, None, None], "tags": ["a", "z"]},
        "when": "2026-01-02",
        "n": 3,
    }
    json.dumps(out, allow_nan=False)  # strict JSON


def test_html_table_escapes_names_values_and_notes() -> None:
    text = html_table("T<1>", [("a&b", "<x>"), ("f", 0.123456789)], ["n<ote"])
    assert "<caption>T&lt;1&gt;</caption>" in text
    assert "<th>a&amp;b</th><td>&lt;x&gt;</td>" in text
    assert "<td>0.1235</td>" in text
    assert "<p>n&lt;ote</p>" in text
