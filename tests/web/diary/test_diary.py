"""The diary: the contract's fields, 303 on success, 422 with every problem, same-day edits."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.utils import timezone

from tenderpoint.web.diary import services
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.portal.models import PortalPreferences

pytestmark = pytest.mark.django_db

GOOD = {
    "pain": "6",
    "fatigue": "7",
    "sleep_quality": "5",
    "fog": "4",
    "mood": "3",
    "headache": "2",
    "flare": "on",
    "note": "Bad night.",
    "pain_areas": ["neck", "lower_back"],
}


def test_a_good_entry_is_stored_and_answers_303(world, client_for):
    client = client_for(world.patient)
    response = client.post("/me/diary/", GOOD)
    assert response.status_code == 303
    assert response["Location"] == "/me/diary/"
    entry = DiaryEntry.objects.get(patient=world.patient_record)
    assert (entry.pain, entry.fatigue, entry.sleep_quality, entry.fog, entry.mood) == (
        6,
        7,
        5,
        4,
        3,
    )
    assert entry.headache == 2
    assert entry.flare is True
    assert entry.note == "Bad night."
    assert entry.pain_areas == ["neck", "lower_back"]


@pytest.mark.parametrize(
    ("pain", "accepted"), [("-1", False), ("0", True), ("10", True), ("11", False)]
)
def test_scores_are_0_to_10_inclusive(world, client_for, pain, accepted):
    client = client_for(world.patient)
    response = client.post("/me/diary/", {**GOOD, "pain": pain})
    assert response.status_code == (303 if accepted else 422)
    assert DiaryEntry.objects.exists() is accepted


def test_a_bad_entry_names_every_problem_and_keeps_what_was_typed(world, client_for):
    client = client_for(world.patient)
    bad = {**GOOD, "pain": "", "mood": "12", "pain_areas": ["neck", "elbow"], "note": "x" * 2001}
    response = client.post("/me/diary/", bad)
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"pain", "mood", "pain_areas", "note"}
    body = response.content.decode()
    assert re.search(r'name="fatigue" value="7"[^>]*checked', body)
    assert "x" * 2001 in body  # the note is kept
    assert not DiaryEntry.objects.exists()


def test_note_of_exactly_2000_characters_is_accepted(world, client_for):
    client = client_for(world.patient)
    assert client.post("/me/diary/", {**GOOD, "note": "y" * 2000}).status_code == 303


def test_the_form_is_prefilled_from_the_last_entry(world, client_for):
    client = client_for(world.patient)
    client.post("/me/diary/", GOOD)
    form = client.get("/me/diary/").context["form"]
    assert form.initial["pain"] == 6
    assert form.initial["pain_areas"] == ["neck", "lower_back"]


def test_local_date_is_the_patients_own_date(world):
    # 23:30 UTC is already the next day in Berlin (the clinic's zone) and still the same day
    # in Los Angeles (the patient's own zone, chosen in settings).
    moment = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)
    data = {k: (int(v) if k in services.FIELDS[:6] else v) for k, v in GOOD.items()}
    data["flare"] = True
    entry = services.do_record_entry(
        world.patient_record, user=world.patient, request=None, data=data, now=moment
    )
    assert entry.local_date == datetime.date(2026, 3, 11)
    PortalPreferences.objects.create(patient=world.patient_record, time_zone="America/Los_Angeles")
    entry = services.do_record_entry(
        world.patient_record, user=world.patient, request=None, data=data, now=moment
    )
    assert entry.local_date == datetime.date(2026, 3, 10)


def test_an_entry_is_corrected_the_same_day_only_then_marked_in_error(world, client_for):
    client = client_for(world.patient)
    client.post("/me/diary/", GOOD)
    entry = DiaryEntry.objects.get()
    edit = f"/me/diary/{entry.public_id}/edit/"
    assert client.post(edit, {**GOOD, "pain": "4"}).status_code == 303
    entry.refresh_from_db()
    assert entry.pain == 4
    assert entry.history.count() == 2  # the first version is kept
    tomorrow = timezone.now().astimezone(world.clinic.tzinfo) + datetime.timedelta(days=1)
    with mock.patch("tenderpoint.web.diary.services.local_now", return_value=tomorrow):
        assert client.post(edit, {**GOOD, "pain": "2"}).status_code == 403
        response = client.post(f"/me/diary/{entry.public_id}/entered-in-error/")
    assert response.status_code == 303
    entry.refresh_from_db()
    assert entry.pain == 4
    assert entry.is_entered_in_error
    assert DiaryEntry.objects.filter(pk=entry.pk).exists()  # never deleted


def test_a_patient_cannot_touch_another_patients_entry(world, client_for):
    client_for(world.other_patient).post("/me/diary/", GOOD)
    entry = DiaryEntry.objects.get()
    client = client_for(world.patient)
    assert client.get(f"/me/diary/{entry.public_id}/edit/").status_code == 403
    assert client.post(f"/me/diary/{entry.public_id}/entered-in-error/").status_code == 403
    entry.refresh_from_db()
    assert not entry.is_entered_in_error


def test_the_care_team_sees_the_diary_table(world, client_for):
    client_for(world.patient).post("/me/diary/", GOOD)
    client = client_for(world.nurse)
    response = client.get(f"/patients/{world.patient_record.public_id}/diary/")
    assert response.status_code == 200
    assert "Bad night." in response.content.decode()
