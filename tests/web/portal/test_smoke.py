import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/me/",
        "/me/diary/",
        "/me/questionnaires/",
        "/me/questionnaires/phq9/",
        "/me/progress/",
        "/me/messages/",
        "/me/settings/",
        "/me/export.csv",
        "/me/export.fhir.json",
    ],
)
def test_pages_answer(world, client_for, path):
    client = client_for(world.patient)
    response = client.get(path)
    assert response.status_code == 200, response.content[:2000]
