"""Clinic-supplied wording: the JSON format, its checks and how instruments use it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tenderpoint.clinical import get_instrument, load_wording, parse_wording, score
from tenderpoint.errors import ConfigurationError, UnknownInstrumentError


def _fiqr_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "tenderpoint-wording/1",
        "instrument": "fiqr",
        "version": "fiqr-2009",
        "language": "en",
        "licence_reference": "FIQR clinical licence 2026-014",
        "title": "FIQR (licensed)",
        "instructions": "Licensed instructions",
        "items": {item.id: f"Licensed text {item.id}" for item in get_instrument("fiqr").items},
    }
    document.update(changes)
    return document


def test_load_from_file_and_apply(tmp_path: Path) -> None:
    path = tmp_path / "fiqr.json"
    path.write_text(json.dumps(_fiqr_document()), encoding="utf-8")
    wording = load_wording(path)
    assert wording.licence_reference == "FIQR clinical licence 2026-014"
    instrument = wording.apply()
    assert instrument.item("function_1").text == "Licensed text function_1"
    assert instrument.title == "FIQR (licensed)"
    assert instrument.instructions == "Licensed instructions"
    # The shipped definition is untouched.
    assert get_instrument("fiqr").item("function_1").text is None


def test_apply_without_title_keeps_the_definition_title() -> None:
    document = _fiqr_document()
    del document["title"], document["instructions"]
    instrument = parse_wording(document).apply()
    assert instrument.title == get_instrument("fiqr").title


def test_scoring_never_needs_wording() -> None:
    answers = {"function": [0] * 9, "overall": [0, 0], "symptoms": [0] * 10}
    assert score("fiqr", answers).outputs["total"] == 0


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"format": "other/1"}, "wording_invalid"),
        ({"version": "fiq-1991"}, "version_mismatch"),
        ({"language": ""}, "wording_invalid"),
        ({"licence_reference": None}, "wording_invalid"),
        ({"items": {"function_1": "x"}}, "missing_item_text"),
        ({"items": ["x"]}, "wording_invalid"),
        ({"items": {"function_1": ""}}, "wording_invalid"),
    ],
)
def test_bad_documents_fail_loudly(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_wording(_fiqr_document(**changes))
    assert caught.value.code == code


def test_unknown_item_ids_are_rejected() -> None:
    document = _fiqr_document()
    document["items"]["function_10"] = "extra"
    with pytest.raises(ConfigurationError) as caught:
        parse_wording(document)
    assert caught.value.code == "unknown_item"
    assert "function_10" in caught.value.message


def test_not_an_object_and_unknown_instrument() -> None:
    with pytest.raises(ConfigurationError):
        parse_wording(["fiqr"])
    with pytest.raises(UnknownInstrumentError):
        parse_wording(_fiqr_document(instrument="fiq"))


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_wording(tmp_path / "absent.json")
    assert caught.value.code == "wording_unreadable"
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_wording(broken)
    assert caught.value.code == "wording_unreadable"
