"""The clinician reads a stored result in words: yes/no, not Python's True/False or []."""

from __future__ import annotations

from tenderpoint.clinical import get_instrument, score
from tenderpoint.web.questionnaires.templatetags.questionnaire_tags import (
    readable_outputs,
    recall_lead,
)


def test_a_phq9_result_reads_in_words():
    result = score("phq9", {"items": [1] * 9})
    rows = dict(readable_outputs(result.outputs))
    assert rows["total"] == "9"
    assert rows["maximum possible"] == "27"
    assert rows["item 9 above 0"] == "yes"
    assert rows["screen positive"] == "no"
    assert rows["severity"] == "mild"
    assert "severity band" not in rows  # the label stands for it
    assert rows["missing items"] == "none"
    assert not {"True", "False", "[]", "None"} & set(rows.values())


def test_a_plain_recall_span_opens_the_form_as_a_sentence():
    assert recall_lead("last 2 weeks") == "Think about the last 2 weeks."
    assert recall_lead("past 7 days") == "Think about the past 7 days."
    assert recall_lead("past month") == "Think about the past month."


def test_a_recall_window_that_is_not_a_span_gives_no_sentence():
    assert recall_lead("since the start of treatment") == ""
    assert recall_lead(get_instrument("bpi_sf").recall_window) == ""
    assert recall_lead(get_instrument("cadss").recall_window) == ""
    assert recall_lead(None) == ""
