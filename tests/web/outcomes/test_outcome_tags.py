"""Window names and changes from baseline as a clinician reads them; small counts hidden on
the public page."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string

from tenderpoint.outcomes.response import DEFAULT_WINDOWS
from tenderpoint.web.outcomes.deidentified import MIN_CELL_PATIENTS
from tenderpoint.web.outcomes.templatetags.outcome_tags import (
    pain_change,
    responder_sureness,
    small_count,
    window_label,
)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("day1", "Day 1"),
        ("week2", "Week 2"),
        ("week12", "Week 12"),
        ("post_week1", "Week 1 after induction"),
        ("post_week12", "Week 12 after induction"),
        ("fm30_week4", "fm30_week4"),  # not a window name the rule knows: shown as it is
    ],
)
def test_window_names_read_as_words(name, label):
    assert window_label(name) == label


def test_every_default_window_has_a_readable_name():
    labels = [window_label(w.name) for w in DEFAULT_WINDOWS]
    assert all(" " in label for label in labels), labels
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(
    ("pct", "words"),
    [
        (17.4, "17 % lower"),
        (-33.0, "33 % higher"),
        (0.4, "no change"),
        (-0.4, "no change"),
        (0.6, "1 % lower"),
        (-0.6, "1 % higher"),
        (None, "—"),
    ],
)
def test_a_negative_reduction_is_written_as_a_rise(pct, words):
    assert pain_change(pct) == words


def _rate(count: int, n: int) -> dict[str, Any]:
    return {"n": n, "count": count, "rate": count / n, "ci_low": 0.1, "ci_high": 0.9}


def _figures(count: int, n: int) -> dict[str, Any]:
    return {
        "status": "ok",
        "n_patients": n,
        "min_cell_patients": MIN_CELL_PATIENTS,
        "induction": _rate(n, n + MIN_CELL_PATIENTS),  # n of n + 11: both parts shown
        "durability": {"status": "suppressed"},
        "time_to_relief": {"status": "suppressed"},
        "responders": [{"window": "post_week1", **_rate(count, n)}],
        "dropoff": [],
    }


@pytest.mark.parametrize(
    ("count", "n", "hidden"),
    [
        (MIN_CELL_PATIENTS, 2 * MIN_CELL_PATIENTS, False),  # 11 and 11: at the limit, shown
        (MIN_CELL_PATIENTS - 1, 2 * MIN_CELL_PATIENTS, True),  # 10 responders
        (MIN_CELL_PATIENTS + 1, 2 * MIN_CELL_PATIENTS, True),  # 10 non-responders
        (MIN_CELL_PATIENTS + 1, 2 * MIN_CELL_PATIENTS + 1, False),  # 12 and 11
    ],
)
def test_a_small_count_or_its_complement_is_hidden_on_the_public_page(count, n, hidden):
    assert small_count(_rate(count, n)) is hidden
    public = render_to_string(
        "outcomes/_figures.html", {"figures": _figures(count, n), "public": True}
    )
    staff = render_to_string("outcomes/_figures.html", {"figures": _figures(count, n)})
    cell = f"<td>{count}</td>"
    assert (cell not in public) is hidden
    assert ("fewer than 11 responders or fewer than 11 non-responders" in public) is hidden
    assert cell in staff  # the clinic's own dashboard shows the count


def test_suppressed_and_missing_counts_are_not_small_counts():
    assert small_count({"n": "suppressed", "count": "suppressed"}) is False
    assert small_count(None) is False


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (
            {
                "responder_probability": 0.625,
                "pct_reduction_pain_low": -4.2,
                "pct_reduction_pain_high": 41.0,
            },
            "62 % chance of a drop of 30 % or more; 95 % range 4 % higher to 41 % lower",
        ),
        (
            {
                "responder_probability": 0.5,
                "pct_reduction_pain_low": None,
                "pct_reduction_pain_high": None,
            },
            "50 % chance of a drop of 30 % or more; 95 % range open (baseline too uncertain)",
        ),
        ({"responder_probability": None}, "—"),
        ({}, "—"),
    ],
)
def test_how_sure_a_label_is_in_words(row, words):
    assert responder_sureness(row) == words
