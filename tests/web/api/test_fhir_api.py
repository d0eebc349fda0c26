"""The FHIR API through Django's client: the access rule, audit, paging, errors as
OperationOutcome, and R4B validity of what it serves."""

from __future__ import annotations

import json
import uuid

import pytest

from tenderpoint.interop.fhir.validate import validate
from tenderpoint.web.audit.models import AuditEvent
from tests.web.api.conftest import bearer
from tests.web.conftest import World

pytestmark = pytest.mark.django_db


def body(response) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(response.content)


def test_metadata_is_public_and_lists_the_types(api) -> None:  # type: ignore[no-untyped-def]
    response = api("/fhir/metadata")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = body(response)
    validate(statement)
    assert statement["fhirVersion"] == "4.0.1"


def test_smart_configuration(api) -> None:  # type: ignore[no-untyped-def]
    config = body(api("/.well-known/smart-configuration"))
    assert config["token_endpoint"].endswith("/fhir/auth/token/")
    assert "system/*.read" in config["scopes_supported"]
    assert body(api("/fhir/.well-known/smart-configuration")) == config


def test_no_token_is_401_with_an_outcome(api) -> None:  # type: ignore[no-untyped-def]
    response = api("/fhir/Patient")
    assert response.status_code == 401
    assert body(response)["resourceType"] == "OperationOutcome"
    assert response["WWW-Authenticate"].startswith("Bearer")
    bad = api("/fhir/Patient", {"HTTP_AUTHORIZATION": "Bearer not-a-token"})
    assert bad.status_code == 401


def test_clinician_reads_own_clinic_patients_only(world: World, api) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/*.read")
    found = body(api("/fhir/Patient", headers))
    ids = {e["resource"]["id"] for e in found["entry"]}
    assert ids == {str(world.patient_record.public_id), str(world.other_patient_record.public_id)}
    other = api(f"/fhir/Patient/{world.other_clinic_patient_record.public_id}", headers)
    assert other.status_code == 404
    denied = AuditEvent.objects.filter(action="denied", object_type="fhir.Patient").first()
    assert denied is not None
    assert denied.patient_id == world.other_clinic_patient_record.public_id


def test_patient_token_sees_only_that_patient(world: World, api, charted) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.patient, "patient/*.read")
    found = body(api("/fhir/Patient", headers))
    assert [e["resource"]["id"] for e in found["entry"]] == [str(world.patient_record.public_id)]
    encounters = body(api("/fhir/Encounter", headers))
    assert {e["resource"]["subject"]["reference"] for e in encounters["entry"]} == {
        f"Patient/{world.patient_record.public_id}"
    }
    assert len(encounters["entry"]) == 2
    other = api(f"/fhir/Observation?patient={world.other_patient_record.public_id}", headers)
    assert body(other).get("entry", []) == []


@pytest.mark.parametrize("persona", ["clinic_admin"])
def test_clinic_admin_cannot_hold_a_token(world: World, persona: str) -> None:
    from django.core.exceptions import ValidationError

    from tenderpoint.web.api import tokens

    with pytest.raises(ValidationError) as caught:
        tokens.do_issue_token(world.persona(persona), "user/*.read", 1, via="test")
    assert "scope" in caught.value.message_dict


def test_patient_scope_refused_to_staff(world: World) -> None:
    from django.core.exceptions import ValidationError

    from tenderpoint.web.api import tokens

    with pytest.raises(ValidationError, match="user/ scopes only"):
        tokens.do_issue_token(world.clinician, "patient/*.read", 1, via="test")


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (90, True), (91, False)])
def test_token_lifetime_limits(world: World, days: int, ok: bool) -> None:
    from django.core.exceptions import ValidationError

    from tenderpoint.web.api import tokens

    if ok:
        token, _ = tokens.do_issue_token(world.clinician, "user/*.read", days, via="test")
        assert (token.expires - token.created).days in (days - 1, days)
    else:
        with pytest.raises(ValidationError) as caught:
            tokens.do_issue_token(world.clinician, "user/*.read", days, via="test")
        assert list(caught.value.message_dict) == ["days"]


def test_every_read_and_search_is_audited(world: World, api, charted) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/*.read")
    before = AuditEvent.objects.filter(action="view").count()
    api(f"/fhir/Patient/{world.patient_record.public_id}", headers)
    api(f"/fhir/Observation?patient={world.patient_record.public_id}", headers)
    events = list(AuditEvent.objects.filter(action="view").order_by("sequence"))[before:]
    assert [(e.object_type, e.patient_id) for e in events] == [
        ("fhir.Patient", world.patient_record.public_id),
        ("fhir.Observation", world.patient_record.public_id),
    ]
    assert events[0].actor_email == world.clinician.email
    assert events[0].detail["scope"] == "user/*.read"


@pytest.mark.parametrize(
    "query",
    ["colour=blue", "date=yesterday", "_count=501", "code:text=pain", "_format=xml"],
)
def test_bad_search_is_an_outcome_400(world: World, api, query: str) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/*.read")
    response = api(f"/fhir/Observation?patient={world.patient_record.public_id}&{query}", headers)
    assert response.status_code == 400
    outcome = body(response)
    validate(outcome)
    assert outcome["issue"][0]["expression"] == [query.split("=")[0]]


def test_staff_observation_search_needs_a_patient(world: World, api) -> None:  # type: ignore[no-untyped-def]
    response = api("/fhir/Observation", bearer(world.clinician, "user/*.read"))
    assert response.status_code == 400
    assert body(response)["issue"][0]["code"] == "too-costly"


def test_unknown_type_and_path(world: World, api) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/*.read")
    assert api("/fhir/Basic", headers).status_code == 404
    assert api("/fhir/Patient/../../etc", headers).status_code == 404


def test_scope_limits_resource_types(world: World, api) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/Observation.read")
    assert api("/fhir/Patient", headers).status_code == 403


def test_observation_date_search_and_paging(world: World, api, charted) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/*.read")
    pid = world.patient_record.public_id
    # first session only: 2 vitals sets x 5 observations + 1 CADSS-6 total
    first = body(
        api(f"/fhir/Observation?patient={pid}&date=ge2026-03-02&date=le2026-03-02", headers)
    )
    assert len(first["entry"]) == 11
    assert {e["resource"]["effectiveDateTime"][:10] for e in first["entry"]} == {"2026-03-02"}
    # paging through both sessions, 5 a page
    seen, url, pages = [], f"/fhir/Observation?patient={pid}&_count=5", 0
    while url:
        page = body(api(url, headers))
        seen += [e["resource"]["id"] for e in page.get("entry", [])]
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), None)
        pages += 1
    assert len(seen) == len(set(seen)) == 22
    assert pages == 5
    vitals = body(
        api(
            f"/fhir/Observation?patient={pid}&category=vital-signs&code=http://loinc.org|8867-4",
            headers,
        )
    )
    assert len(vitals["entry"]) == 4


def test_every_resource_type_validates(world: World, api, charted) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/*.read")
    pid = world.patient_record.public_id
    world.patient_record.diagnosis_status = "confirmed"
    world.patient_record.save()
    types = [
        "Patient", "Condition", "Observation", "MedicationRequest", "MedicationAdministration",
        "Encounter", "AdverseEvent", "Provenance", "Questionnaire",
    ]  # fmt: skip
    for resource_type in types:
        query = "" if resource_type in ("Patient", "Questionnaire") else f"?patient={pid}"
        page = body(api(f"/fhir/{resource_type}{query}", headers))
        assert page["entry"], resource_type
        for entry in page["entry"]:
            validate(entry["resource"])
            read = api(f"/fhir/{resource_type}/{entry['resource']['id']}", headers)
            assert read.status_code == 200, entry["resource"]["id"]
            assert body(read) == entry["resource"]


def test_ids_that_are_not_uuids_are_404_not_500(world: World, api) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(world.clinician, "user/*.read")
    assert api("/fhir/Observation/nonsense", headers).status_code == 404
    assert api(f"/fhir/Observation/{uuid.uuid4()}-hr", headers).status_code == 404


@pytest.mark.parametrize("path", ["/fhir/AdverseEvent/%0A", "/fhir/Patient/a%0Ab", "/fhir/%0A"])
def test_a_path_with_a_control_character_is_an_outcome_not_an_html_page(
    world: World, api, path: str
) -> None:  # type: ignore[no-untyped-def]
    """Found by the FHIR fuzzer: a newline escaped the catch-all route into the HTML 404."""
    response = api(path, bearer(world.clinician, "user/*.read"))
    assert response.status_code in (400, 404)
    outcome = body(response)
    assert outcome["resourceType"] == "OperationOutcome"
    validate(outcome)
