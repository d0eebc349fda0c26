"""The planner, TCI and triage give the same outputs as before they were split into steps.

``plans.json`` was written by ``make_golden.py`` from the code before the split (see there);
every field of every plan (floats exactly, by ``repr``), every warning and every error's code,
field and message must match.
"""

from __future__ import annotations

import json
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


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_output_is_unchanged(name: str) -> None:
    assert run(ORDERS[name]) == GOLDEN[name]
