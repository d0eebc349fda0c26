"""Encounter, MedicationRequest/Administration, vitals and score Observations, AdverseEvent,
Provenance: mapped from plain dicts and validated as R4B resources."""

import datetime

import pytest

from tenderpoint.interop.fhir.adverse_event import adverse_event
from tenderpoint.interop.fhir.encounter import encounter
from tenderpoint.interop.fhir.medication import medication_administration, medication_request
from tenderpoint.interop.fhir.observation_scores import questionnaire_score_observations
from tenderpoint.interop.fhir.observation_session import (
    session_score_observations,
    vitals_observations,
)
from tenderpoint.interop.fhir.provenance import provenance
from tests.interop.fhir.conftest import AT, PATIENT_ID, PLAN_ID, SESSION_ID, validate

VITALS = {
    "at": AT,
    "systolic_mmhg": 132,
    "diastolic_mmhg": 84,
    "heart_rate_bpm": 78,
    "spo2_pct": 97,
    "respiratory_rate_per_min": 14,
    "moaas": 4,
    "etco2_mmhg": None,
}


def test_vitals_use_the_reference_loinc_codes(session: dict) -> None:
    found = vitals_observations(session, VITALS, 3)
    for resource in found:
        validate(resource)
    by_id = {r["id"]: r for r in found}
    assert set(by_id) == {f"{SESSION_ID}-v3-{s}" for s in ("bp", "hr", "rr", "spo2", "moaas")}
    bp = by_id[f"{SESSION_ID}-v3-bp"]
    assert bp["code"]["coding"][0]["code"] == "85354-9"
    assert [
        (c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in bp["component"]
    ] == [
        ("8480-6", 132),
        ("8462-4", 84),
    ]
    assert by_id[f"{SESSION_ID}-v3-hr"]["code"]["coding"][0]["code"] == "8867-4"
    assert by_id[f"{SESSION_ID}-v3-rr"]["code"]["coding"][0]["code"] == "9279-1"
    assert by_id[f"{SESSION_ID}-v3-spo2"]["code"]["coding"][0]["code"] == "59408-5"
    assert by_id[f"{SESSION_ID}-v3-spo2"]["valueQuantity"]["code"] == "%"
    assert all(r["status"] == "final" for r in found)
    assert all(r["encounter"]["reference"] == f"Encounter/{SESSION_ID}" for r in found)


def test_etco2_is_sent_only_when_measured(session: dict) -> None:
    found = vitals_observations(session, {**VITALS, "etco2_mmhg": 38}, 1)
    etco2 = next(r for r in found if r["id"].endswith("-etco2"))
    validate(etco2)
    assert etco2["valueQuantity"] == {
        "value": 38,
        "unit": "mmHg",
        "system": "http://unitsofmeasure.org",
        "code": "mm[Hg]",
    }


def test_draft_session_observations_are_preliminary(session: dict) -> None:
    found = vitals_observations({**session, "status": "draft"}, VITALS, 1)
    assert {r["status"] for r in found} == {"preliminary"}


def test_session_scores_cadss6_and_aldrete_use_local_score_codes(session: dict) -> None:
    cadss = {
        "instrument_id": "cadss6",
        "phase": "during",
        "at": AT,
        "outputs": {"total": 5, "hold_discharge": False},
        "version": "cadss6-rodrigues2021/scoring-1",
    }
    aldrete = {
        "instrument_id": "modified_aldrete",
        "phase": "recovery",
        "at": AT,
        "outputs": {"total": 9, "discharge_eligible": True, "rule": "total >= 9"},
        "version": "aldrete1995/scoring-1",
    }
    found = session_score_observations(session, cadss, 1) + session_score_observations(
        session, aldrete, 2
    )
    for resource in found:
        validate(resource)
    assert [
        (r["id"], r["code"]["coding"][0]["code"], r["valueQuantity"]["value"]) for r in found
    ] == [
        (f"{SESSION_ID}-s1-total", "cadss6.score.total", 5),
        (f"{SESSION_ID}-s2-total", "modified_aldrete.score.total", 9),
    ]


def test_questionnaire_totals_use_loinc_where_it_exists() -> None:
    response = {
        "id": "c1d2e3f4-0000-4000-8000-000000000001",
        "patient_id": PATIENT_ID,
        "instrument_id": "phq9",
        "instrument_version": "phq9/scoring-1",
        "submitted_at": AT,
        "last_updated": AT,
        "outputs": {"total": 12, "severity": "moderate", "item9_positive": False},
    }
    (total,) = questionnaire_score_observations(response)
    validate(total)
    assert total["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "44261-6",
        "display": "Patient Health Questionnaire-9 (PHQ-9)",
    }
    assert total["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{response['id']}"}]
    assert total["valueQuantity"]["value"] == 12


def test_fiqr_subscales_each_get_an_observation() -> None:
    response = {
        "id": "c1d2e3f4-0000-4000-8000-000000000002",
        "patient_id": PATIENT_ID,
        "instrument_id": "fiqr",
        "instrument_version": "fiqr-2009/scoring-1",
        "submitted_at": AT,
        "last_updated": AT,
        "entered_in_error": True,
        "outputs": {
            "valid": True,
            "function_domain": 10.0,
            "overall_domain": 8.0,
            "symptom_domain": 25.5,
            "total": 43.5,
            "function_items_answered": 9,
        },
    }
    found = questionnaire_score_observations(response)
    for resource in found:
        validate(resource)
    assert sorted(r["code"]["coding"][0]["code"] for r in found) == [
        "fiqr.score.function_domain",
        "fiqr.score.overall_domain",
        "fiqr.score.symptom_domain",
        "fiqr.score.total",
    ]
    assert {r["status"] for r in found} == {"entered-in-error"}


def _plan(**changes: object) -> dict:
    plan = {
        "id": PLAN_ID,
        "patient_id": PATIENT_ID,
        "status": "verified",
        "product": "racemic",
        "total_dose_mg": "35.00",
        "final_concentration_mg_per_ml": "0.7000",
        "pump_rate_ml_per_h": "66.7",
        "dosing_weight_kg": "70.00",
        "prescribed_at": AT,
        "prescriber": "Dr Carla",
        "verified_by": "Nina, RN",
        "verified_at": AT + datetime.timedelta(minutes=5),
        "last_updated": AT,
    }
    plan.update(changes)
    return plan


@pytest.mark.parametrize(
    ("status", "fhir_status"), [("draft", "draft"), ("verified", "active"), ("in_use", "completed")]
)
def test_medication_request_states(status: str, fhir_status: str) -> None:
    resource = medication_request(_plan(status=status))
    model = validate(resource)
    assert model.status == fhir_status
    assert model.dosageInstruction[0].doseAndRate[0].doseQuantity.value == 35
    assert resource["dosageInstruction"][0]["route"]["coding"][0]["code"] == "47625008"


def test_medication_is_coded_locally_not_with_unconfirmed_rxnorm() -> None:
    racemic = medication_request(_plan())["medicationCodeableConcept"]["coding"]
    esketamine = medication_request(_plan(product="esketamine"))["medicationCodeableConcept"]
    assert [c["code"] for c in racemic] == ["drug.ketamine"]
    assert [c["code"] for c in esketamine["coding"]] == ["drug.esketamine"]
    assert all("rxnorm" not in c["system"] for c in [*racemic, *esketamine["coding"]])


def test_medication_administration_delivered_dose(session: dict) -> None:
    resource = medication_administration(session)
    model = validate(resource)
    assert model.status == "completed"
    assert float(model.dosage.dose.value) == 35.0
    assert resource["request"] == {"reference": f"MedicationRequest/{PLAN_ID}"}
    unfinished = medication_administration({**session, "status": "draft", "ended_at": None})
    validate(unfinished)
    assert unfinished["status"] == "in-progress"
    assert "end" not in unfinished["effectivePeriod"]


def test_encounter(session: dict) -> None:
    model = validate(encounter(session))
    assert model.status == "finished"
    assert model.class_fhir.code == "AMB"
    assert validate(encounter({**session, "entered_in_error": True})).status == "entered-in-error"


@pytest.mark.parametrize(
    ("severity", "fhir_severity", "seriousness"),
    [
        ("mild", "mild", "non-serious"),
        ("moderate", "moderate", "non-serious"),
        ("severe", "severe", "serious"),
        ("life_threatening", "severe", "serious"),
    ],
)
def test_adverse_event(severity: str, fhir_severity: str, seriousness: str) -> None:
    resource = adverse_event(
        {
            "id": "aa000000-0000-4000-8000-000000000001",
            "patient_id": PATIENT_ID,
            "session_id": SESSION_ID,
            "at": AT,
            "recorded_at": AT,
            "last_updated": AT,
            "event_type": "nausea",
            "severity": severity,
            "description": "Nausea at 30 min",
            "action": "Ondansetron 4 mg IV",
            "outcome": "Resolved",
        }
    )
    validate(resource)
    assert resource["severity"]["coding"][0]["code"] == fhir_severity
    assert resource["seriousness"]["coding"][0]["code"] == seriousness
    assert resource["event"]["coding"][0]["code"] == "adverse.nausea"
    assert "Ondansetron 4 mg IV" in resource["event"]["text"]


def test_provenance_names_the_signer() -> None:
    resource = provenance(
        {
            "id": "bb000000-0000-4000-8000-000000000001",
            "target": f"Encounter/{SESSION_ID}",
            "signed_at": AT,
            "signer": "Dr Carla",
            "signer_role": "clinician",
            "last_updated": AT,
        }
    )
    model = validate(resource)
    assert model.target[0].reference == f"Encounter/{SESSION_ID}"
    assert model.signature[0].who.display == "Dr Carla"
