"""Window names and changes from baseline as a clinician reads them."""

from __future__ import annotations

import pytest

from tenderpoint.outcomes.response import DEFAULT_WINDOWS
from tenderpoint.web.outcomes.templatetags.outcome_tags import (
    pain_change,
    responder_sureness,
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
