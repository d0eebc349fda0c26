"""FHIR R4 Questionnaire and CodeSystem resources as plain JSON-ready dicts.

The core stays standard-library only, so resources are built as dicts; the tests validate them
with ``fhir.resources`` (R4B models). LOINC codes are used exactly where the reference gives them
(PHQ-9, GAD-7, pain NRS); everything else is coded in the project's local code system, whose
complete content :func:`fhir_code_system` generates from the registry:

* ``<instrument>``: the instrument (Questionnaire.code without a LOINC panel);
* ``<instrument>.<item>``: an item; ``<instrument>.<item>.<value>``: an answer option;
* ``<instrument>.score.<output>``: a score or result, for Observation.code.
"""

from __future__ import annotations

from typing import Any

from tenderpoint.clinical.definition import AnswerOption, Instrument, Item
from tenderpoint.clinical.instruments._common import LOCAL_SYSTEM, LOINC_SYSTEM
from tenderpoint.clinical.registry import REGISTRY, get_instrument
from tenderpoint.clinical.wording import ItemWording
from tenderpoint.errors import InvalidInputError

CANONICAL_BASE = "https://tenderpoint.github.io/fhir"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
_TYPES = {
    "choice": "choice",
    "multi_choice": "choice",
    "boolean": "boolean",
    "integer": "integer",
    "decimal": "decimal",
}


def _fhir_id(instrument_id: str) -> str:
    return instrument_id.replace("_", "-")


def _local(code: str, display: str) -> dict[str, Any]:
    return {"system": LOCAL_SYSTEM, "code": code, "display": display}


def _answer(instrument: Instrument, item: Item, option: AnswerOption) -> dict[str, Any]:
    if option.loinc:
        coding: dict[str, Any] = {
            "system": LOINC_SYSTEM,
            "code": option.loinc,
            "display": option.label,
        }
    else:
        coding = _local(f"{instrument.id}.{item.id}.{option.value}", option.label)
    if option.score is not None:
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option.score}]
    return {"valueCoding": coding}


def _item(instrument: Instrument, item: Item) -> dict[str, Any]:
    code = (
        {"system": LOINC_SYSTEM, "code": item.loinc, "display": item.text or item.id}
        if item.loinc
        else _local(f"{instrument.id}.{item.id}", item.text or item.id)
    )
    result: dict[str, Any] = {
        "linkId": item.id,
        "code": [code],
        "text": item.text,
        "type": _TYPES[item.kind],
        "required": item.required,
    }
    if item.kind == "multi_choice":
        result["repeats"] = True
    if item.options and item.kind != "boolean":
        result["answerOption"] = [_answer(instrument, item, o) for o in item.options]
    # Licensed items without clinic wording would have no text: FHIR then omits the element.
    return {key: value for key, value in result.items() if value is not None}


def fhir_questionnaire(instrument_id: str, wording: ItemWording | None = None) -> dict[str, Any]:
    """An R4 Questionnaire for an instrument whose wording may ship (or with licensed wording).

    Raises InvalidInputError with code ``wording_not_licensed`` for a licensed instrument
    without clinic-supplied wording, ``wording_mismatch`` for wording of another instrument,
    and ``no_questionnaire`` for derived calculations (change scores and bands have no form of
    their own).
    """
    instrument = get_instrument(instrument_id)
    if instrument.kind == "derived":
        raise InvalidInputError(
            f"{instrument_id} is a calculation on other scores and has no questionnaire",
            code="no_questionnaire",
            field="instrument_id",
        )
    if wording is not None:
        if wording.instrument_id != instrument.id:
            raise InvalidInputError(
                f"the wording given is for {wording.instrument_id}, not {instrument_id}",
                code="wording_mismatch",
                field="wording",
            )
        instrument = wording.apply()
    elif not instrument.licence.wording_may_ship:
        raise InvalidInputError(
            f"the wording of {instrument_id} is licensed and does not ship; load the clinic's "
            "licensed wording with load_wording() and pass it as wording=",
            code="wording_not_licensed",
            field="instrument_id",
        )
    items: list[dict[str, Any]] = []
    if instrument.instructions:
        items.append({"linkId": "instructions", "type": "display", "text": instrument.instructions})
    items.extend(_item(instrument, item) for item in instrument.items)
    code = (
        {"system": LOINC_SYSTEM, "code": instrument.loinc_panel, "display": instrument.title}
        if instrument.loinc_panel
        else _local(instrument.id, instrument.title)
    )
    description = (
        f"{instrument.title}. {instrument.citation} Recall window: {instrument.recall_window}."
    )
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _fhir_id(instrument.id),
        "url": f"{CANONICAL_BASE}/Questionnaire/{_fhir_id(instrument.id)}",
        "version": instrument.full_version,
        "name": "".join(part.capitalize() for part in instrument.id.split("_")),
        "title": instrument.title,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "tenderpoint",
        "description": description,
        "copyright": instrument.licence.note,
        "code": [code],
        "item": items,
    }
    if wording is not None and wording.licence_reference:
        resource["copyright"] += f" Licence: {wording.licence_reference}."
    if wording is not None:
        resource["language"] = wording.language
    return resource


def fhir_code_system() -> dict[str, Any]:
    """The local CodeSystem with every code the questionnaires and score observations use."""
    concepts: list[dict[str, Any]] = []
    for instrument in REGISTRY.values():
        children: list[dict[str, Any]] = []
        for item in instrument.items:
            answers = [
                {"code": f"{instrument.id}.{item.id}.{o.value}", "display": o.label}
                for o in item.options
                if not o.loinc and item.kind != "boolean"
            ]
            entry: dict[str, Any] = {
                "code": f"{instrument.id}.{item.id}",
                "display": item.text if item.text else item.id,
            }
            if answers:
                entry["concept"] = answers
            children.append(entry)
        children.extend(
            {"code": f"{instrument.id}.score.{output}", "display": f"{instrument.title}: {output}"}
            for output in instrument.outputs
        )
        concepts.append({"code": instrument.id, "display": instrument.title, "concept": children})
    return {
        "resourceType": "CodeSystem",
        "id": "tenderpoint-clinical",
        "url": LOCAL_SYSTEM,
        # 2: score codes follow the output vocabulary of scoring-2 (docs/clinical.md).
        "version": "2",
        "name": "TenderpointClinical",
        "title": "tenderpoint clinical instruments, items, answers and scores",
        "status": "active",
        "content": "complete",
        "hierarchyMeaning": "part-of",
        "publisher": "tenderpoint",
        "description": "Local codes for instruments and scores without a LOINC code "
        "(reference clinical.md §12: none was located for FIQR, WPI, SSS, FS/PSD, CADSS, ISI, "
        "BPI, PGIC).",
        "concept": concepts,
    }
