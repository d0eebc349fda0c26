"""PHQ-9 item 9 above 0 is never silent, even on an incomplete form (issue 9)."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.questionnaires import services, tasks
from tenderpoint.web.questionnaires.models import QuestionnaireResponse, SafetyFlag, SafetySettings
from tests.web.factories import member

pytestmark = pytest.mark.django_db


def phq9(item9: int | str, **overrides: str) -> dict[str, str]:
    answers = {f"item{n}": "1" for n in range(1, 9)}
    answers["item9"] = str(item9)
    answers.update(overrides)
    return answers


def test_item9_zero_raises_no_flag(world, client_for):
    response = client_for(world.patient).post("/me/questionnaires/phq9/", phq9(0))
    assert response.status_code == 303
    assert not SafetyFlag.objects.exists()
    stored = QuestionnaireResponse.objects.get()
    assert stored.outputs["total"] == 8
    assert stored.outputs["item9_positive"] is False


def test_item9_one_flags_shows_crisis_resources_and_tells_the_team(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.patient).post("/me/questionnaires/phq9/", phq9(1))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="tel:988"' in body
    assert world.clinic.phone in body
    flag = SafetyFlag.objects.get()
    assert flag.item_value == 1
    assert flag.response == QuestionnaireResponse.objects.get()
    assert flag.care_team_notified_at is not None
    sent = mail.outbox[-1]
    assert set(sent.to) >= {world.clinician.email, world.nurse.email}
    assert world.clinic_admin.email not in sent.to
    # no health detail: neither the questionnaire, the answer nor the patient's name
    text = (sent.subject + sent.body).lower()
    for secret in ("phq", "item 9", "suicid", "self-harm", "paula", "anderby"):
        assert secret not in text


def test_item9_flags_even_when_the_form_is_incomplete(world, client_for):
    response = client_for(world.patient).post("/me/questionnaires/phq9/", phq9(2, item4=""))
    assert response.status_code == 422
    assert 'href="tel:988"' in response.content.decode()
    flag = SafetyFlag.objects.get()
    assert flag.item_value == 2
    assert flag.response is None
    assert not QuestionnaireResponse.objects.exists()
    # every problem named, what was typed kept
    form = response.context["form"]
    assert [r.name for r in form.errors] == ["item4"]
    assert next(r for r in form.items if r.name == "item9").value == "2"


def test_the_corrected_resubmission_reuses_the_flag_and_links_the_response(world, client_for):
    client = client_for(world.patient)
    client.post("/me/questionnaires/phq9/", phq9(2, item4=""))
    client.post("/me/questionnaires/phq9/", phq9(2))
    flag = SafetyFlag.objects.get()
    assert flag.response == QuestionnaireResponse.objects.get()


@pytest.mark.parametrize("raw", ["4", "-1", "1.0", "x"])
def test_an_answer_that_is_not_an_option_raises_no_flag_but_a_problem(world, client_for, raw):
    response = client_for(world.patient).post("/me/questionnaires/phq9/", phq9(raw))
    assert response.status_code == 422
    assert not SafetyFlag.objects.exists()


@pytest.mark.parametrize("value", [1, 2, 3])
def test_every_answer_above_0_raises_the_flag(world, client_for, value):
    client_for(world.patient).post("/me/questionnaires/phq9/", phq9(value))
    assert SafetyFlag.objects.get().item_value == value


def test_acknowledging_needs_an_action_note_and_records_who_and_when(world, client_for):
    client_for(world.patient).post("/me/questionnaires/phq9/", phq9(1))
    flag = SafetyFlag.objects.get()
    client = client_for(world.clinician)
    home = client.get("/patients/").content.decode()
    assert "Urgent" in home
    assert "Paula" in home
    url = f"/patients/{world.patient_record.public_id}/questionnaires/"
    response = client.post(url, {"flag": str(flag.public_id), "action_note": "   "})
    assert response.status_code == 422
    flag.refresh_from_db()
    assert flag.acknowledged_at is None
    response = client.post(url, {"flag": str(flag.public_id), "action_note": "C-SSRS done, called"})
    assert response.status_code == 303
    flag.refresh_from_db()
    assert flag.acknowledged_by == world.clinician
    assert flag.acknowledged_at is not None
    assert flag.action_note == "C-SSRS done, called"
    assert "Urgent" not in client.get("/patients/").content.decode()


def test_another_clinic_cannot_acknowledge(world, client_for):
    client_for(world.patient).post("/me/questionnaires/phq9/", phq9(1))
    flag = SafetyFlag.objects.get()
    url = f"/patients/{world.patient_record.public_id}/questionnaires/"
    response = client_for(world.other_clinician).post(
        url, {"flag": str(flag.public_id), "action_note": "x"}
    )
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.acknowledged_at is None


def test_acknowledge_service_refuses_an_empty_note(world):
    flag = services.do_raise_safety_flag(
        world.patient_record, value=1, user=world.patient, request=None
    )
    with pytest.raises(ValidationError) as caught:
        services.do_acknowledge_flag(flag, user=world.clinician, request=None, action_note="")
    assert "action_note" in caught.value.message_dict


@pytest.mark.parametrize(("hours_after", "escalated"), [(3.99, False), (4.0, True), (4.01, True)])
def test_an_unacknowledged_flag_escalates_to_every_clinician_after_the_default_4_hours(
    world, hours_after, escalated
):
    second = member(world.clinic, Role.CLINICIAN, email="cem@example.org")
    raised = timezone.now()
    flag = services.do_raise_safety_flag(
        world.patient_record, value=1, user=world.patient, request=None, now=raised
    )
    mail.outbox.clear()
    later = raised + datetime.timedelta(hours=hours_after)
    with mock.patch("tenderpoint.web.questionnaires.tasks.timezone.now", return_value=later):
        assert tasks.escalate_overdue_flags() == int(escalated)
    flag.refresh_from_db()
    assert (flag.escalated_at is not None) is escalated
    if escalated:
        assert set(mail.outbox[0].to) == {world.clinician.email, second.email}
        assert "paula" not in mail.outbox[0].body.lower()


def test_the_clinic_sets_its_own_escalation_hours(world):
    SafetySettings.objects.create(clinic=world.clinic, escalation_hours=2)
    raised = timezone.now()
    flag = services.do_raise_safety_flag(
        world.patient_record, value=1, user=world.patient, request=None, now=raised
    )
    assert flag.escalate_after == raised + datetime.timedelta(hours=2)


def test_an_acknowledged_flag_never_escalates(world):
    flag = services.do_raise_safety_flag(
        world.patient_record, value=1, user=world.patient, request=None
    )
    services.do_acknowledge_flag(flag, user=world.nurse, request=None, action_note="Called")
    later = timezone.now() + datetime.timedelta(hours=10)
    with mock.patch("tenderpoint.web.questionnaires.tasks.timezone.now", return_value=later):
        assert tasks.escalate_overdue_flags() == 0


def test_pages_say_they_are_not_monitored_around_the_clock(world, client_for):
    client = client_for(world.patient)
    for path in ["/me/questionnaires/", "/me/questionnaires/phq9/", "/me/messages/"]:
        assert "not monitored around the clock" in client.get(path).content.decode()


@pytest.mark.parametrize("flag_id", ["\x00", "not-a-uuid", ""])
def test_acknowledging_a_malformed_flag_id_is_no_such_flag(world, client_for, flag_id):
    """Found by the form fuzzer: a non-UUID flag id was a server error, not a 404."""
    from django.urls import reverse

    url = reverse(
        "patients:questionnaires_staff:list", kwargs={"patient_id": world.patient_record.public_id}
    )
    response = client_for(world.clinician).post(url, {"flag": flag_id, "action_note": "x"})
    assert response.status_code == 404


def test_acknowledge_service_refuses_a_note_with_a_null_character(world):
    flag = services.do_raise_safety_flag(
        world.patient_record, value=1, user=world.patient, request=None
    )
    with pytest.raises(ValidationError) as caught:
        services.do_acknowledge_flag(
            flag, user=world.clinician, request=None, action_note="called\x00"
        )
    assert "action_note" in caught.value.message_dict


def test_flag_times_are_shown_in_the_clinic_zone_with_its_name(world, client_for):
    """Staff read every time in their clinic's zone, named, as the appointments beside it."""
    world.clinic.time_zone = "America/Chicago"
    world.clinic.save()
    client_for(world.patient).post("/me/questionnaires/phq9/", phq9(1))
    raised = datetime.datetime(2026, 11, 30, 11, 47, tzinfo=datetime.UTC)
    SafetyFlag.objects.update(raised_at=raised)
    client = client_for(world.clinician)
    home = client.get("/home/").content.decode()
    assert "raised 2026-11-30 05:47 CST" in home
    assert "11:47" not in home
    chart = client.get(f"/patients/{world.patient_record.public_id}/questionnaires/")
    assert "2026-11-30 05:47 CST" in chart.content.decode()
