"""Every patient-data URL, walked with every persona: the response and the audit event.

The URLs are discovered from the URLconf (every view built on ``PatientRecordView``), so a new
patient-data view is covered the day it is added; its permission must appear in ``ALLOWED``.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.patients.access import PatientRecordView
from tenderpoint.web.patients.models import Patient

PERSONAS = ["patient", "clinician", "nurse", "other_clinician", "clinic_admin", "other_patient"]

# Which personas may use a view, by the permission the view requires, on Paula's record.
ALLOWED = {
    "patients.view_patient": {"patient", "clinician", "nurse"},
    "patients.change_patient": {"clinician", "nurse"},
    "infusions.chart": {"clinician", "nurse"},
    "portal.view_patient_chart": {"clinician", "nurse"},
    "portal.change_patient_chart": {"clinician", "nurse"},
    "clinic_outcomes.view_patient_outcomes": {"clinician", "nurse"},
    "api.clinician_report": {"clinician", "nurse"},
}


def _patient_record_routes() -> list[tuple[str, type[PatientRecordView]]]:
    routes: list[tuple[str, type[PatientRecordView]]] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
                continue
            view_class = getattr(entry.callback, "view_class", None)
            # Routes that also need a record id are walked in their app's persona tests;
            # POST-only routes (405 on GET) in the persona matrix.
            only_patient = set(entry.pattern.converters) == {"patient_id"}
            if (
                view_class
                and issubclass(view_class, PatientRecordView)
                and "get" in view_class.http_method_names
                and entry.name
                and only_patient
            ):
                routes.append((namespace + entry.name, view_class))

    walk(get_resolver().url_patterns, "")
    return routes


ROUTES = _patient_record_routes()


def test_patient_data_routes_are_discovered() -> None:
    names = {name for name, _ in ROUTES}
    assert {"patients:detail", "patients:edit"} <= names
    for _, view_class in ROUTES:
        assert view_class.permission in ALLOWED, f"{view_class.__name__}: add its permission"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("route", "view_class"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_persona_on_every_patient_route(world, client_for, persona, route, view_class):
    target: Patient = world.patient_record
    url = reverse(route, kwargs={"patient_id": target.public_id})
    user = world.persona(persona)
    signed_in = client_for(user)
    before = AuditEvent.objects.count()

    response = signed_in.get(url)

    allowed = persona in ALLOWED[view_class.permission]
    assert response.status_code == (200 if allowed else 403)
    events = list(AuditEvent.objects.order_by("sequence")[before:])
    # one event; a download (the PDF report) also records its export
    actions = [e.action for e in events]
    assert actions.count("view" if allowed else "denied") == 1
    assert set(actions) <= ({"view", "export"} if allowed else {"denied"})
    for event in events:
        assert event.actor_email == user.email
        assert event.role == user.role
        assert event.patient_id == target.public_id
        assert event.path == url
    if response["Content-Type"].startswith("text/html"):
        body = response.content.decode()
        assert (target.family_name in body) is allowed


@pytest.mark.parametrize(("route", "view_class"), ROUTES, ids=[name for name, _ in ROUTES])
def test_anonymous_is_sent_to_sign_in(world, client, route, view_class):
    url = reverse(route, kwargs={"patient_id": world.patient_record.public_id})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_patient_is_404_and_the_probe_is_recorded(world, client_for):
    response = client_for(world.clinician).get("/patients/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.object_id) == ("denied", "00000000-0000-0000-0000-000000000000")


def test_superuser_sees_no_patient_data(world, client_for):
    from tests.web.conftest import enrol_totp
    from tests.web.factories import UserFactory

    operator = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(operator)
    response = client_for(operator).get(world.patient_record.get_absolute_url())
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", actor_email=operator.email).exists()


def test_queryset_rule_and_object_rule_agree(world):
    import rules

    everyone = list(Patient.objects.all())
    for persona in PERSONAS:
        user = world.persona(persona)
        visible = set(Patient.objects.for_user(user))
        for record in everyone:
            assert (record in visible) == rules.has_perm("patients.view_patient", user, record), (
                persona,
                record,
            )


def test_patient_list_is_for_the_care_team_of_one_clinic(world, client_for):
    response = client_for(world.clinician).get(reverse("patients:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.patient_record.family_name in body
    assert world.other_clinic_patient_record.family_name not in body
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.object_type) == ("view", "patients.patient_list")


@pytest.mark.parametrize("persona", ["patient", "clinic_admin"])
def test_patient_list_refused_outside_the_care_team(world, client_for, persona):
    response = client_for(world.persona(persona)).get(reverse("patients:list"))
    assert response.status_code == 403
    assert AuditEvent.objects.order_by("-sequence").first().action == "denied"
