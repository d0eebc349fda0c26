"""The clinician reads a stored result in words: yes/no, not Python's True/False or []."""

from __future__ import annotations

from tenderpoint.clinical import score
from tenderpoint.web.questionnaires.templatetags.questionnaire_tags import readable_outputs


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
