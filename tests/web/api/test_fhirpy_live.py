"""A FHIR client no one on the team wrote (fhirpy) reads the API of a live server through a
bearer token: a patient, their Observations by date, following the server's next links."""

from __future__ import annotations

import pytest
from fhirpy import SyncFHIRClient

from tests.web.api.conftest import bearer
from tests.web.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


def test_fhirpy_reads_a_patient_and_pages_observations(world: World, live_server, charted) -> None:  # type: ignore[no-untyped-def]
    token = bearer(world.clinician, "user/*.read")["HTTP_AUTHORIZATION"]
    client = SyncFHIRClient(f"{live_server.url}/fhir", authorization=token)
    patient_id = str(world.patient_record.public_id)

    patient = client.reference("Patient", patient_id).to_resource()
    assert patient["name"][0]["family"] == world.patient_record.family_name
    assert patient["birthDate"] == world.patient_record.date_of_birth.isoformat()

    first_week = (
        client.resources("Observation")
        .search(patient=patient_id, date__ge="2026-03-02", date__le="2026-03-08")
        .limit(4)
        .fetch_all()
    )
    assert len(first_week) == 11  # 2 vitals sets x 5 + the CADSS-6 total, over 3 pages
    assert {o["effectiveDateTime"][:10] for o in first_week} == {"2026-03-02"}

    everything = client.resources("Observation").search(patient=patient_id).limit(5).fetch_all()
    assert len({o["id"] for o in everything}) == 22

    other = str(world.other_clinic_patient_record.public_id)
    assert client.resources("Observation").search(patient=other).fetch_all() == []
