import pytest

pytestmark = pytest.mark.django_db


def test_pages_answer(world, client_for):
    client = client_for(world.patient)
    for path in [
        "/me/",
        "/me/diary/",
        "/me/questionnaires/",
        "/me/questionnaires/phq9/",
        "/me/progress/",
        "/me/messages/",
        "/me/settings/",
        "/me/export.csv",
        "/me/export.fhir.json",
    ]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:3000])
    pid = world.patient_record.public_id
    client = client_for(world.clinician)
    for path in [
        f"/patients/{pid}/diary/",
        f"/patients/{pid}/questionnaires/",
        f"/patients/{pid}/messages/",
        "/clinic/messages/",
        "/clinic/questionnaires/flags/",
        "/patients/",
        f"/patients/{pid}/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:3000])
    client = client_for(world.clinic_admin)
    assert client.get("/clinic/questionnaires/schedule/").status_code == 200
