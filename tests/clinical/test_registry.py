"""The instrument list carries everything the issue asks for, and results carry provenance."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import pytest

from tenderpoint.clinical import Instrument, get_instrument, instruments, score

ALL_IDS = {
    "acr1990",
    "acr2010",
    "acr2011",
    "acr2016",
    "aapt2019",
    "psd_category",
    "fiqr",
    "fiqr_change",
    "fiqr_severity_salaffi2020",
    "phq9",
    "gad7",
    "isi",
    "pain_nrs_severity",
    "pain_nrs_change",
    "pgic",
    "fm30_short",
    "fm30_long",
    "bpi_sf",
    "cadss",
    "cadss6",
    "modified_aldrete",
    "jenkins_sleep_4",
}
FREE_WORDING = {"phq9", "gad7", "pgic", "pain_nrs_severity"}


def test_every_instrument_of_the_issue_is_registered() -> None:
    assert {i.id for i in instruments()} == ALL_IDS


@pytest.mark.parametrize("instrument", instruments(), ids=lambda i: i.id)
def test_definition_is_complete(instrument: Instrument) -> None:
    assert instrument.title
    assert instrument.version
    assert instrument.citation
    assert instrument.licence.note
    assert instrument.inputs
    assert instrument.outputs
    assert instrument.items
    if instrument.kind != "derived":
        assert instrument.recall_window
    for item in instrument.items:
        assert item.field in instrument.inputs
        for option in item.options:
            assert option.label
    if not instrument.licence.wording_may_ship:
        assert all(item.text is None for item in instrument.items)


def test_item_wording_ships_only_where_allowed() -> None:
    for instrument in instruments():
        has_text = any(item.text for item in instrument.items)
        if instrument.id in FREE_WORDING or instrument.kind == "criteria":
            assert has_text, instrument.id
        elif instrument.kind == "questionnaire":
            assert not has_text, instrument.id


def test_loinc_codes_only_where_the_reference_gives_them() -> None:
    with_loinc = {
        i.id
        for i in instruments()
        if i.loinc_panel or i.loinc_total or any(item.loinc for item in i.items)
    }
    assert with_loinc == {"phq9", "gad7", "pain_nrs_severity"}
    phq9 = get_instrument("phq9")
    assert (phq9.loinc_panel, phq9.loinc_total) == ("44249-1", "44261-6")
    gad7 = get_instrument("gad7")
    assert (gad7.loinc_panel, gad7.loinc_total) == ("69737-5", "70274-6")
    assert [item.loinc for item in gad7.items] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]


def test_recall_windows_follow_the_reference() -> None:
    assert get_instrument("fiqr").recall_window == "past 7 days"
    assert get_instrument("phq9").recall_window == "last 2 weeks"
    assert get_instrument("isi").recall_window == "last 2 weeks"
    assert get_instrument("jenkins_sleep_4").recall_window == "past month"
    acr = get_instrument("acr2016")
    assert "past week" in (acr.recall_window or "")
    assert "6 months" in (acr.recall_window or "")
    assert acr.item("headaches_6mo").recall == "previous 6 months"


def test_item_lookup() -> None:
    assert get_instrument("phq9").item("item9").loinc == "44260-8"
    with pytest.raises(KeyError):
        get_instrument("phq9").item("item10")


def test_result_is_frozen_versioned_and_json_ready() -> None:
    result = score("gad7", {"items": [1, 1, 1, 1, 1, 1, 1]})
    assert result.instrument_id == "gad7"
    assert result.version == get_instrument("gad7").full_version == "gad7/scoring-2"
    with pytest.raises(FrozenInstanceError):
        result.version = "x"  # type: ignore[misc]
    data = result.as_dict()
    data["total"] = 99
    assert result.outputs["total"] == 7
    with pytest.raises(TypeError):
        result.outputs["total"] = 99  # type: ignore[index]
    json.dumps(data)
    assert result.explanation == "; ".join(result.steps)


def test_every_instrument_result_version_matches_its_definition() -> None:
    samples = {
        "pgic": {"response": 4},
        "psd_category": {"fs": 0},
        "fiqr_severity_salaffi2020": {"total": 0},
    }
    for instrument_id, answers in samples.items():
        assert score(instrument_id, answers).version == get_instrument(instrument_id).full_version


def test_explanation_reads_like_the_issue_example() -> None:
    result = score(
        "acr2016",
        {
            "wpi_areas": [
                "neck",
                "shoulder_girdle_left",
                "hip_left",
                "hip_right",
                "shoulder_girdle_right",
                "lower_back",
            ],
            "fatigue": 3,
            "waking_unrefreshed": 3,
            "cognitive": 2,
            "headaches_6mo": True,
            "lower_abdominal_pain_or_cramps_6mo": False,
            "depression_6mo": False,
            "symptoms_generally_present_ge_3_months": True,
        },
    )
    text = result.explanation
    assert text.startswith(
        "WPI 6: left shoulder girdle, right shoulder girdle, left hip, right hip, neck, lower back"
    )
    assert "SSS 9" in text
    assert "WPI 4–6 with SSS 9 ≥ 9 → threshold met" in text
    assert "pain in 5 of 5 regions" in text
    assert "criteria met" in text
