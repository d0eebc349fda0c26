"""The contact form stores first, notifies staff without health details, and staff work the
requests in an inbox of their own clinic."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.public.models import ContactPage, ContactRequest

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Vera Visitor",
    "email": "vera@example.org",
    "phone": "",
    "preferred_method": "email",
    "reason": "ketamine",
    "message": "I have had fibromyalgia for ten years and my pain is 8 of 10.",
    "consent_to_contact": "on",
}


@pytest.fixture
def contact_url(site, world):
    page = ContactPage.objects.get()
    page.clinic = world.clinic
    page.save(update_fields=["clinic"])
    return page.url


def test_a_request_is_stored_and_staff_get_a_mail_without_health_details(
    contact_url, client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url, VALID)
    assert response.status_code == 302
    assert response["Location"] == f"{contact_url}?sent=1"
    stored = ContactRequest.objects.get()
    assert (stored.name, stored.clinic, stored.status) == ("Vera Visitor", world.clinic, "new")
    assert stored.staff_notified_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert world.clinician.email in message.to
    assert world.other_clinician.email not in message.to
    for private in ("Vera", "vera@example.org", "fibromyalgia", "pain", "ketamine"):
        assert private not in message.body + message.subject
    assert reverse("public:inbox_detail", args=[stored.public_id]) in message.body
    assert world.clinic_admin.email not in message.to  # the care team, not administrators
    confirmation = client.get(response["Location"]).content.decode()
    assert "your message has reached us" in confirmation


def test_a_failing_mail_server_loses_nothing(
    contact_url, client, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("tenderpoint.web.public.tasks.send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url, VALID)
    assert response.status_code == 302
    stored = ContactRequest.objects.get()
    assert stored.staff_notified_at is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "", "phone": ""}, "email", "Give an e-mail address or a phone number"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"preferred_method": "text", "phone": ""}, "phone", "You chose a call or a text"),
        ({"phone": "call me maybe", "preferred_method": "call"}, "phone", "Enter a phone number"),
        ({"consent_to_contact": ""}, "consent_to_contact", "This field is required"),
        ({"message": ""}, "message", "This field is required"),
    ],
)
def test_bad_input_gets_field_errors_and_keeps_what_was_typed(
    contact_url, client, change, field, message
):
    data = {k: v for k, v in (VALID | change).items() if v != ""}
    response = client.post(contact_url, data)
    body = response.content.decode()
    assert response.status_code == 422
    assert message in body
    assert "Vera Visitor" in body
    if data.get("message"):
        assert "ten years" in body
    assert not ContactRequest.objects.exists()


def test_the_honeypot_drops_bots_quietly(contact_url, client):
    response = client.post(contact_url, VALID | {"website": "http://spam.example"})
    assert response.status_code == 302
    assert not ContactRequest.objects.exists()
    assert not mail.outbox


def test_rate_limit_per_address_keeps_what_was_typed(contact_url, client, settings):
    settings.TENDERPOINT_CONTACT_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(contact_url, VALID).status_code == 302
    response = client.post(contact_url, VALID | {"name": "Third Try"})
    assert response.status_code == 429
    assert "Third Try" in response.content.decode()
    assert ContactRequest.objects.count() == 2
    other = client.post(contact_url, VALID, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_staff_work_the_inbox_and_it_is_audited(contact_url, client, client_for, world):
    client.post(contact_url, VALID)
    stored = ContactRequest.objects.get()
    nurse = client_for(world.nurse)
    listing = nurse.get(reverse("public:inbox")).content.decode()
    assert "Vera Visitor" in listing
    detail_url = reverse("public:inbox_detail", args=[stored.public_id])
    assert "ten years" in nurse.get(detail_url).content.decode()
    response = nurse.post(detail_url, {"status": "contacted", "staff_notes": "Called back."})
    assert response.status_code == 302
    stored.refresh_from_db()
    assert (stored.status, stored.handled_by) == ("contacted", world.nurse)
    assert AuditEvent.objects.filter(action="update", object_type="public.contactrequest").exists()
    assert "Vera Visitor" not in nurse.get(reverse("public:inbox")).content.decode()  # new only
    assert (
        "Vera Visitor"
        in nurse.get(reverse("public:inbox"), {"status": "contacted"}).content.decode()
    )


@pytest.mark.parametrize("persona", ["patient", "other_clinician", "clinic_admin"])
def test_outsiders_cannot_read_requests(contact_url, client, client_for, world, persona):
    client.post(contact_url, VALID)
    stored = ContactRequest.objects.get()
    outsider = client_for(world.persona(persona))
    assert outsider.get(reverse("public:inbox_detail", args=[stored.public_id])).status_code == 403
    if persona in ("patient", "clinic_admin"):
        assert outsider.get(reverse("public:inbox")).status_code == 403
    else:
        assert "Vera Visitor" not in outsider.get(reverse("public:inbox")).content.decode()
    assert AuditEvent.objects.filter(
        action="denied", actor_email=world.persona(persona).email
    ).exists()


def test_a_request_goes_to_the_clinic_the_page_names(contact_url, client, world):
    """Defect 11: requests went to the first clinic in the database."""
    page = ContactPage.objects.get()
    page.clinic = world.other_clinic
    page.save(update_fields=["clinic"])
    client.post(contact_url, VALID)
    assert ContactRequest.objects.get().clinic == world.other_clinic


def test_several_clinics_and_no_clinic_named_is_refused_not_guessed(contact_url, client, world):
    page = ContactPage.objects.get()
    page.clinic = None
    page.save(update_fields=["clinic"])
    response = client.post(contact_url, VALID)
    assert response.status_code == 503
    assert "not connected to a clinic" in response.content.decode()
    assert "Vera Visitor" in response.content.decode()  # what was typed is kept
    assert not ContactRequest.objects.exists()


def test_probing_request_ids_is_404_and_audited_like_a_refusal(client_for, world):
    """Defect 5 and 11: ids are UUIDs; an unknown one is a 404 with a denied event, and a
    request of another clinic is a 403 with a denied event filed for both clinics."""
    import uuid

    from tenderpoint.web.public.models import ContactRequest as Request

    nurse = client_for(world.nurse)
    unknown = uuid.uuid4()
    assert nurse.get(reverse("public:inbox_detail", args=[unknown])).status_code == 404
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.object_id, event.actor_email) == (
        "denied",
        str(unknown),
        world.nurse.email,
    )
    foreign = Request.objects.create(
        clinic=world.other_clinic,
        name="Xenia",
        preferred_method="email",
        email="x@example.org",
        reason="other",
        message="m",
        consent_to_contact=True,
    )
    assert nurse.get(foreign.get_absolute_url()).status_code == 403
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.clinic_id, event.subject_clinic_id) == (
        "denied",
        world.clinic.pk,
        world.other_clinic.pk,
    )


def test_the_inbox_pages_keep_the_filter_and_reach_every_request(client_for, world):
    """Defect 11: the inbox showed 25 requests and no page links."""
    from tenderpoint.web.public.models import ContactRequest as Request

    for number in range(30):
        Request.objects.create(
            clinic=world.clinic,
            name=f"Visitor {number:02d}",
            preferred_method="email",
            email="v@example.org",
            reason="other",
            message="m",
            consent_to_contact=True,
        )
    nurse = client_for(world.nurse)
    first = nurse.get(reverse("public:inbox"), {"status": "new"}).content.decode()
    assert "?status=new&amp;page=2" in first
    second = nurse.get(reverse("public:inbox"), {"status": "new", "page": 2}).content.decode()
    assert "Visitor 00" in second  # newest first: 29 … 05 on page 1
    assert "Visitor 00" not in first
