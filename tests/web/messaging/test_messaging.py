"""Secure messages: patient thread, staff reply, clinic inbox, e-mails without the text."""

from __future__ import annotations

import pytest
from django.core import mail

from tenderpoint.web.messaging.models import MESSAGE_MAX_CHARS, Message, Thread

pytestmark = pytest.mark.django_db


def test_patient_writes_staff_see_unread_assign_and_reply(
    world, client_for, django_capture_on_commit_callbacks
):
    patient = client_for(world.patient)
    response = patient.post("/me/messages/", {"body": "Is a flare normal after an infusion?"})
    assert response.status_code == 303
    world.clinic.email = "desk@example.org"
    world.clinic.save()

    staff = client_for(world.nurse)
    inbox = staff.get("/clinic/messages/")
    thread = inbox.context["threads"][0]
    assert thread.unread == 1
    assert thread.patient == world.patient_record

    update = f"/clinic/messages/{world.patient_record.public_id}/"
    assert (
        staff.post(update, {"assigned_to": world.clinician.pk, "status": "open"}).status_code == 303
    )
    assert Thread.objects.get().assigned_to == world.clinician

    page = staff.get(f"/patients/{world.patient_record.public_id}/messages/")
    assert "Is a flare normal" in page.content.decode()
    assert Message.objects.get().read_at is not None  # opened by the care team

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = staff.post(
            f"/patients/{world.patient_record.public_id}/messages/",
            {"body": "Yes, often: call us."},
        )
    assert reply.status_code == 303
    notice = mail.outbox[0]
    assert notice.to == [world.patient_record.email or world.patient.email]
    assert "new message" in notice.body
    assert "call us" not in notice.body
    patient = client_for(world.patient)  # the same test client, signed in as Paula again
    assert "1 new message" in patient.get("/me/").content.decode()


def test_an_empty_or_too_long_message_is_refused_and_kept(world, client_for):
    client = client_for(world.patient)
    assert client.post("/me/messages/", {"body": "  "}).status_code == 422
    long = "z" * (MESSAGE_MAX_CHARS + 1)
    response = client.post("/me/messages/", {"body": long})
    assert response.status_code == 422
    assert long in response.content.decode()
    assert client.post("/me/messages/", {"body": "z" * MESSAGE_MAX_CHARS}).status_code == 303


def test_threads_cannot_be_assigned_outside_the_care_team(world, client_for):
    client_for(world.patient).post("/me/messages/", {"body": "Hello"})
    staff = client_for(world.nurse)
    update = f"/clinic/messages/{world.patient_record.public_id}/"
    assert (
        staff.post(update, {"assigned_to": world.other_clinician.pk, "status": "open"}).status_code
        == 403
    )
    assert (
        staff.post(update, {"assigned_to": world.clinic_admin.pk, "status": "open"}).status_code
        == 403
    )
    other = client_for(world.other_clinician)
    assert other.post(update, {"assigned_to": "", "status": "closed"}).status_code == 403
    assert Thread.objects.get().status == "open"


def test_the_inbox_lists_only_the_clinics_own_threads(world, client_for):
    client_for(world.patient).post("/me/messages/", {"body": "Hello"})
    inbox = client_for(world.other_clinician).get("/clinic/messages/")
    assert inbox.status_code == 200  # their own clinic's inbox
    assert "Paula" not in inbox.content.decode()
    assert list(inbox.context["threads"]) == []


def test_a_message_with_a_null_character_is_refused_naming_the_body(world, client_for):
    """Found by the form fuzzer on PostgreSQL, which cannot store NUL in text (it was a 500)."""
    client = client_for(world.patient)
    response = client.post("/me/messages/", {"body": "pain\x00 today"})
    assert response.status_code == 422
    assert "null character" in response.content.decode()
    assert not Message.objects.exists()
