"""The planner, TCI and triage give the same outputs as before they were split into steps.

``plans.json`` was written by ``make_golden.py`` from the code before the split (see there);
every field of every plan, every warning and every error's code, field and message must match.
Numbers match to 1e-9 (relative, or absolute near 0) rather than to the bit: numpy's
vectorised exp and log and the linear algebra round the last bit differently on different
CPUs (an AMD EPYC gave 199.85023147218888 where the file has ...885), and a TCI rate near 0
is a difference of nearly equal numbers (0.0 against 8e-14 mg/min). A change of logic shows
far above that.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.pharmacology.golden.make_golden import plan_orders, run, tci_orders, triage_orders

GOLDEN: dict[str, Any] = json.loads(
    (Path(__file__).parent / "plans.json").read_text(encoding="utf-8")
)
ORDERS = dict(plan_orders() + tci_orders() + triage_orders())


def test_every_golden_case_is_still_generated() -> None:
    assert set(ORDERS) == set(GOLDEN)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def differences(got: Any, want: Any, path: str = "") -> list[str]:
    """Where ``got`` and ``want`` differ: anything but a number must be equal; numbers (or
    numbers written as strings) within 1e-9."""
    if got == want:
        return []
    if isinstance(got, dict) and isinstance(want, dict):
        if set(got) != set(want):
            return [f"{path}: keys {sorted(set(got) ^ set(want))}"]
        return [d for k in got for d in differences(got[k], want[k], f"{path}/{k}")]
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            return [f"{path}: {len(got)} items against {len(want)}"]
        found = []
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            found += differences(g, w, f"{path}[{i}]")
        return found
    g, w = _number(got), _number(want)
    if g is not None and w is not None and math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-9):
        return []
    return [f"{path}: {got!r} against {want!r}"]


def test_the_comparison_tells_a_changed_number_from_a_rounded_one() -> None:
    assert differences({"a": ["199.85023147218888"]}, {"a": ["199.85023147218885"]}) == []
    assert differences({"a": "0.0"}, {"a": "8.4e-14"}) == []
    assert differences({"a": "199.8502"}, {"a": "199.8503"}) == [
        "/a: '199.8502' against '199.8503'"
    ]
    assert differences({"m": "dose 35 mg"}, {"m": "dose 36 mg"}) != []
    assert differences({"ok": True}, {"ok": False}) != []
    assert differences({"a": [1, 2]}, {"a": [1, 2, 3]}) == ["/a: 2 items against 3"]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_output_is_unchanged(name: str) -> None:
    assert differences(run(ORDERS[name]), GOLDEN[name]) == []
