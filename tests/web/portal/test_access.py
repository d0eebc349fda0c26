"""Persona checks for every URL the portal adds (the persona matrix of the security work).

Patient pages (/me/…) answer only a signed-in patient, on their own record; staff chart tabs
answer only the care team of the patient's clinic; clinic lists only nurses and clinicians;
the schedule only the clinic administrator. Each refusal is an audited DENIED event.
"""

from __future__ import annotations

import pytest

from tenderpoint.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ME_PAGES = [
    "/me/",
    "/me/diary/",
    "/me/questionnaires/",
    "/me/questionnaires/phq9/",
    "/me/progress/",
    "/me/messages/",
    "/me/settings/",
    "/me/export.csv",
    "/me/export.fhir.json",
]
STAFF_TABS = ["diary/", "questionnaires/", "messages/"]
EXPECTED_ME = {
    "patient": 200,
    "other_patient": 200,  # their own record, never Paula's (checked below)
    "clinician": 403,
    "nurse": 403,
    "clinic_admin": 403,
    "other_clinician": 403,
}
EXPECTED_TABS = {
    "patient": 403,
    "other_patient": 403,
    "clinician": 200,
    "nurse": 200,
    "clinic_admin": 403,
    "other_clinician": 403,
}
# another clinic's clinician gets their own clinic's (empty) list, never clinic A's
EXPECTED_CLINIC_LISTS = {**EXPECTED_TABS, "other_clinician": 200}
EXPECTED_SCHEDULE = {
    "patient": 403,
    "other_patient": 403,
    "clinician": 403,
    "nurse": 403,
    "clinic_admin": 200,
    "other_clinician": 403,
}


@pytest.mark.parametrize("persona", sorted(EXPECTED_ME))
def test_me_pages(world, client_for, persona):
    client = client_for(world.persona(persona))
    for path in ME_PAGES:
        response = client.get(path)
        assert response.status_code == EXPECTED_ME[persona], (persona, path)
        if response.status_code == 403:
            assert AuditEvent.objects.filter(action="denied", path=path).exists()


def test_me_pages_show_only_the_signed_in_patients_own_record(world, client_for):
    client = client_for(world.other_patient)
    body = client.get("/me/export.fhir.json").content.decode()
    assert "Bergqvist" in body
    assert "Anderby" not in body
    assert str(world.patient_record.public_id) not in body


@pytest.mark.parametrize("persona", sorted(EXPECTED_TABS))
def test_staff_chart_tabs(world, client_for, persona):
    client = client_for(world.persona(persona))
    for tab in STAFF_TABS:
        path = f"/patients/{world.patient_record.public_id}/{tab}"
        assert client.get(path).status_code == EXPECTED_TABS[persona], (persona, path)


@pytest.mark.parametrize("persona", sorted(EXPECTED_CLINIC_LISTS))
def test_clinic_lists(world, client_for, persona):
    client = client_for(world.persona(persona))
    for path in ["/clinic/messages/", "/clinic/questionnaires/flags/"]:
        response = client.get(path)
        assert response.status_code == EXPECTED_CLINIC_LISTS[persona], (persona, path)
        assert "Anderby" not in response.content.decode()


@pytest.mark.parametrize("persona", sorted(EXPECTED_SCHEDULE))
def test_schedule(world, client_for, persona):
    client = client_for(world.persona(persona))
    response = client.get("/clinic/questionnaires/schedule/")
    assert response.status_code == EXPECTED_SCHEDULE[persona]


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for path in [*ME_PAGES, "/clinic/messages/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_every_me_read_is_audited_against_the_patient(world, client_for):
    client = client_for(world.patient)
    client.get("/me/diary/")
    event = AuditEvent.objects.filter(action="view", path="/me/diary/").get()
    assert event.patient_id == world.patient_record.public_id
