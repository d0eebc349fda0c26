"""FHIR Questionnaires and the local CodeSystem validate as R4B resources (fhir.resources)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.questionnaire import Questionnaire

from tenderpoint.clinical import fhir_code_system, fhir_questionnaire, instruments, parse_wording
from tenderpoint.errors import InvalidInputError

SHIPPABLE = sorted(
    i.id for i in instruments() if i.kind != "derived" and i.licence.wording_may_ship
)
LICENSED = sorted(
    i.id for i in instruments() if i.kind != "derived" and not i.licence.wording_may_ship
)
DERIVED = sorted(i.id for i in instruments() if i.kind == "derived")
LOCAL = "https://tenderpoint.github.io/fhir/CodeSystem/clinical"


def _codes(resource: dict[str, Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "system" in node and "code" in node:
                found.add((node["system"], node["code"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(resource)
    return found


def _local_codes() -> set[str]:
    codes: set[str] = set()

    def walk(concepts: list[dict[str, Any]]) -> None:
        for concept in concepts:
            codes.add(concept["code"])
            walk(concept.get("concept", []))

    walk(fhir_code_system()["concept"])
    return codes


def test_expected_split_of_instruments() -> None:
    assert SHIPPABLE == [
        "aapt2019",
        "acr1990",
        "acr2010",
        "acr2011",
        "acr2016",
        "gad7",
        "pain_nrs_severity",
        "pgic",
        "phq9",
    ]
    assert LICENSED == [
        "bpi_sf",
        "cadss",
        "cadss6",
        "fiqr",
        "isi",
        "jenkins_sleep_4",
        "modified_aldrete",
    ]


@pytest.mark.parametrize("instrument_id", SHIPPABLE)
def test_questionnaire_validates_as_r4b(instrument_id: str) -> None:
    resource = fhir_questionnaire(instrument_id)
    json.dumps(resource)  # plain JSON, no model objects
    model = Questionnaire.model_validate(resource)
    assert model.status == "active"
    assert model.item
    local = _local_codes()
    for system, code in _codes(resource):
        if system == LOCAL:
            assert code in local, f"{code} is not defined in the local CodeSystem"
        else:
            assert system == "http://loinc.org"


def test_phq9_uses_the_loinc_codes_of_the_reference() -> None:
    resource = fhir_questionnaire("phq9")
    assert resource["code"][0]["code"] == "44249-1"
    items = {item["linkId"]: item for item in resource["item"]}
    assert items["item9"]["code"][0]["code"] == "44260-8"
    assert items["item1"]["code"][0]["code"] == "44250-9"
    answers = [o["valueCoding"]["code"] for o in items["item1"]["answerOption"]]
    assert answers == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    ordinal = items["item1"]["answerOption"][3]["valueCoding"]["extension"][0]
    assert ordinal["valueDecimal"] == 3
    assert items["item9"]["text"].startswith("Thoughts that you would be better off dead")
    assert items["instructions"]["type"] == "display"


def test_gad7_and_nrs_loinc() -> None:
    assert fhir_questionnaire("gad7")["code"][0]["code"] == "69737-5"
    nrs = fhir_questionnaire("pain_nrs_severity")["item"][0]
    assert nrs["code"][0]["code"] == "72514-3"
    options = [o["valueCoding"] for o in nrs["answerOption"]]
    assert options[0]["code"] == "LA6111-4"
    assert options[10]["code"] == "LA13942-0"
    assert options[5]["system"] == LOCAL  # no LOINC answer code was given for 5: none invented


def test_criteria_use_local_codes_and_repeat_the_body_map() -> None:
    resource = fhir_questionnaire("acr2016")
    assert resource["code"][0] == {
        "system": LOCAL,
        "code": "acr2016",
        "display": "ACR 2016 revised fibromyalgia diagnostic criteria",
    }
    wpi = resource["item"][0]
    assert wpi["repeats"] is True
    assert len(wpi["answerOption"]) == 19
    booleans = [item for item in resource["item"] if item["type"] == "boolean"]
    assert all("answerOption" not in item for item in booleans)


@pytest.mark.parametrize("instrument_id", LICENSED)
def test_licensed_wording_does_not_ship(instrument_id: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        fhir_questionnaire(instrument_id)
    assert caught.value.code == "wording_not_licensed"


@pytest.mark.parametrize("instrument_id", DERIVED)
def test_derived_calculations_have_no_questionnaire(instrument_id: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        fhir_questionnaire(instrument_id)
    assert caught.value.code == "no_questionnaire"


def test_licensed_instrument_with_clinic_wording_validates() -> None:
    wording = parse_wording(
        {
            "format": "tenderpoint-wording/1",
            "instrument": "isi",
            "version": "isi",
            "language": "en",
            "licence_reference": "ISI licence 42",
            "items": {item.id: f"Text of {item.id}" for item in _isi_items()},
        }
    )
    resource = fhir_questionnaire("isi", wording)
    Questionnaire.model_validate(resource)
    assert resource["item"][0]["text"] == "Text of difficulty_falling_asleep"
    assert "ISI licence 42" in resource["copyright"]
    assert resource["language"] == "en"


def test_wording_for_free_instrument_without_licence_reference() -> None:
    wording = parse_wording(
        {
            "format": "tenderpoint-wording/1",
            "instrument": "pgic",
            "version": "pgic-guy",
            "language": "fr",
            "items": {"response": "Depuis le début du traitement, ..."},
        }
    )
    resource = fhir_questionnaire("pgic", wording)
    assert resource["language"] == "fr"
    assert "Licence:" not in resource["copyright"]


def test_wording_of_another_instrument_is_refused() -> None:
    wording = parse_wording(
        {
            "format": "tenderpoint-wording/1",
            "instrument": "pgic",
            "version": "pgic-guy",
            "language": "en",
            "items": {"response": "How has your condition changed?"},
        }
    )
    with pytest.raises(InvalidInputError) as caught:
        fhir_questionnaire("phq9", wording)
    assert caught.value.code == "wording_mismatch"


def _isi_items() -> tuple[Any, ...]:
    return next(i for i in instruments() if i.id == "isi").items


def test_code_system_validates_and_has_unique_codes() -> None:
    resource = fhir_code_system()
    model = CodeSystem.model_validate(resource)
    assert model.url == LOCAL
    codes: list[str] = []

    def walk(concepts: list[dict[str, Any]]) -> None:
        for concept in concepts:
            codes.append(concept["code"])
            walk(concept.get("concept", []))

    walk(resource["concept"])
    assert len(codes) == len(set(codes))
    assert "fiqr.score.total" in codes
    assert "phq9.score.item9_positive" in codes
