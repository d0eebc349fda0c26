"""The persona matrix: every URL of the URLconf × every persona, generated, not hand-listed.

How it works
- Every URL pattern is enumerated. A view of ours must either use the one access mixin
  (``tenderpoint.web.common.access``) or be marked ``@public_view("why")``; otherwise
  ``test_every_view_of_ours_declares_its_access`` fails naming the URL.
- Every URL whose view uses the mixin needs one line in ``MATRIX`` below: the personas that
  get the page (everyone else must be refused). A URL without a line fails, naming it.
- For each line, ``test_persona_matrix`` signs in every persona and asserts the status
  (200 — or 405 for a POST-only view — for the listed personas, 403 for the others, a
  redirect to sign-in for anonymous visitors and to enrolment for staff before MFA), that
  no data the persona may not see is in the page, and the audit event (``view`` or
  ``denied``, by that persona).

Adding a URL: one line in ``MATRIX``. If its pattern has a keyword argument not yet in
``URL_KWARGS``, add one line there too, naming the object of the world (``conftest.World``)
that the URL is about.

Third-party URL sets (allauth under /accounts/, the Django admin at /operator/, Wagtail at
/cms/ and the public pages) are not ours: they are checked by their own tests
(``tests/web/accounts``, ``tests/web/public``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.accounts.models import Membership, MFAResetRequest
from tenderpoint.web.audit.models import AuditEvent
from tenderpoint.web.common.access import PUBLIC_VIEW_ATTRIBUTE, AccessPolicyView
from tenderpoint.web.public.models import ContactRequest
from tests.web.conftest import enrol_totp
from tests.web.factories import UserFactory, member

#: URL name → the personas that get the page. Everybody else is refused (403 + audit).
#: Personas: patient, other_patient, nurse, clinician, other_clinician, clinic_admin,
#: operator (anonymous and staff_before_mfa never get a page; they are always checked).
MATRIX: dict[str, str] = {
    "patients:list": "nurse clinician other_clinician",
    "patients:create": "nurse clinician other_clinician",
    "patients:detail": "patient nurse clinician",
    "patients:edit": "nurse clinician",
    "patients:report_pdf": "nurse clinician",
    "accounts:clinic_settings": "clinic_admin",
    "accounts:staff": "clinic_admin",
    "accounts:staff_role": "clinic_admin",
    "accounts:staff_deactivate": "clinic_admin",
    "accounts:staff_invite_mfa": "clinic_admin",
    "accounts:staff_request_mfa_reset": "clinic_admin",
    "accounts:mfa_reset_approve": "clinic_admin",
    "audit:list": "clinic_admin",
    "public:inbox": "nurse clinician other_clinician",
    "public:inbox_detail": "nurse clinician",
    # the patient portal (/me/…): each patient their own record only
    "portal:home": "patient other_patient",
    "portal:diary": "patient other_patient",
    "portal:diary_edit": "patient",
    "portal:diary_error": "patient",
    "portal:questionnaires": "patient other_patient",
    "portal:questionnaire": "patient other_patient",
    "portal:save_self_check": "patient other_patient",
    "portal:progress": "patient other_patient",
    "portal:messages": "patient other_patient",
    "portal:settings": "patient other_patient",
    "portal:export_csv": "patient other_patient",
    "portal:export_fhir": "patient other_patient",
    # the care team's side of the same data
    "patients:diary_staff:list": "nurse clinician",
    "patients:questionnaires_staff:list": "nurse clinician",
    "patients:messaging_staff:thread": "nurse clinician",
    "messaging_clinic:inbox": "nurse clinician other_clinician",
    "messaging_clinic:update": "nurse clinician",
    "questionnaires_clinic:flags": "nurse clinician other_clinician",
    "questionnaires_clinic:schedule": "clinic_admin",
    "patients:patient_outcomes:detail": "nurse clinician",
    "clinic_outcomes:dashboard": "clinician other_clinician clinic_admin",
    "clinic_outcomes:export": "clinician clinic_admin",
    "clinic_outcomes:review": "clinic_admin",
    # the infusion console: the patient chart is the care team's of the patient's clinic
    "assessments:criteria_new": "nurse clinician",
    "assessments:detail": "nurse clinician",
    "console:problems": "nurse clinician",
    "console:medications": "nurse clinician",
    "console:contraindications": "nurse clinician",
    "console:courses": "nurse clinician",
    "console:appointments": "nurse clinician",
    "console:plan_new": "nurse clinician",
    "console:plan": "nurse clinician",
    "console:sessions": "nurse clinician",
    "console:session": "nurse clinician",
    # the console's clinic pages: each staff member their own clinic's
    "clinic:controlled_substances": "nurse clinician other_clinician",
    "clinic:console_settings": "clinic_admin",
    "clinic:prescribers": "clinic_admin",
    # CSV exports of the user's clinic: de-identified outcomes also for the clinic admin
    "exports:outcomes_csv": "nurse clinician other_clinician clinic_admin",
    "exports:sessions_csv": "nurse clinician other_clinician",
    "exports:questionnaires_csv": "nurse clinician other_clinician",
    # personal API tokens: every signed-in user their own (the token here is Paula's)
    "api_tokens:new": "patient other_patient nurse clinician other_clinician clinic_admin operator",
    "api_tokens:revoke": "patient",
    # system clients of clinic A: the admin registers, a clinician approves, either withdraws
    "api_clients:list": "clinician other_clinician clinic_admin",
    "api_clients:approve": "clinician",
    "api_clients:revoke": "clinician clinic_admin",
}

#: URL keyword argument → the value, from the world: always an object of clinic A that
#: belongs to Paula (the patient) where it belongs to a patient.
URL_KWARGS: dict[str, Callable[[Any], Any]] = {
    "patient_id": lambda w: w.patient_record.public_id,
    "request_id": lambda w: w.contact_request.public_id,
    "membership_id": lambda w: Membership.objects.get(user=w.nurse).pk,
    "entry_id": lambda w: _diary_entry(w).public_id,
    "instrument_id": lambda w: "phq9",
    "snapshot_id": lambda w: _snapshot(w).public_id,
    "reset_id": lambda w: (
        MFAResetRequest.objects.get_or_create(
            clinic=w.clinic, member=w.nurse, requested_by=w.clinic_admin
        )[0].pk
    ),
    "assessment_id": lambda w: _console_record(w, "assessment").public_id,
    "plan_id": lambda w: _console_record(w, "plan").public_id,
    "session_id": lambda w: _console_record(w, "session").public_id,
    "token_id": lambda w: _personal_token(w).pk,
    "client_id": lambda w: _system_client(w).public_id,
}


def _console_record(world: Any, kind: str) -> Any:
    """Paula's criteria assessment, verified plan or charted session (made once per world)."""
    from tests.web.infusions import helpers

    cache: dict[str, Any] = world.__dict__.setdefault("console_records", {})
    if not cache:
        patient = world.patient_record
        cache["assessment"] = helpers.criteria_assessment(patient, world.clinician)
        cache["plan"] = helpers.verified_plan(patient, world.clinician, world.nurse)
        cache["session"] = helpers.charted_session(cache["plan"], world.nurse)
    return cache[kind]


def _personal_token(world: Any) -> Any:
    """A personal API token of Paula's."""
    from tenderpoint.web.api import tokens

    token, _ = tokens.do_issue_token(world.patient, "patient/*.read", 1, via="test")
    return token


def _system_client(world: Any) -> Any:
    """A system client of clinic A, registered by its admin and not yet approved."""
    from tenderpoint.web.api import tokens

    client, _ = tokens.do_register_client(world.clinic_admin, "Registry")
    return client


def _diary_entry(world: Any) -> Any:
    """Paula's diary entry of today (made now, so it can still be corrected)."""
    from tenderpoint.web.diary import services as diary

    entry = diary.last_entry(world.patient_record)
    if entry is None:
        scores = dict.fromkeys(("pain", "fatigue", "sleep_quality", "fog", "mood", "headache"), 5)
        entry = diary.do_record_entry(
            world.patient_record,
            user=world.patient,
            request=None,
            data={**scores, "flare": False, "note": "", "pain_areas": []},
        )
    return entry


def _snapshot(world: Any) -> Any:
    """A complete outcome snapshot of clinic A."""
    from django.utils import timezone

    from tenderpoint.web.outcomes.models import OutcomeSnapshot

    snapshot, _ = OutcomeSnapshot.objects.get_or_create(
        clinic=world.clinic,
        defaults={"requested_at": timezone.now(), "status": "complete"},
    )
    return snapshot


#: Text that only some personas may ever see, wherever it appears.
MARKERS: dict[str, set[str]] = {
    "Anderby": {"patient", "nurse", "clinician"},  # Paula's record, clinic A
    "Bergqvist": {"other_patient", "nurse", "clinician"},  # Peter's record, clinic A
    "Xylander": {"other_clinician"},  # Olga's record, clinic B
    "Vera Visitor": {"nurse", "clinician"},  # a contact request to clinic A
}

PERSONAS = [
    "anonymous",
    "patient",
    "other_patient",
    "nurse",
    "clinician",
    "other_clinician",
    "clinic_admin",
    "operator",
    "staff_before_mfa",
]


def _routes() -> list[tuple[str, str, Any, list[str]]]:
    """(URL name or route, module of the view, view, URL keyword arguments) for every
    pattern in the URLconf."""
    found: list[tuple[str, str, Any, list[str]]] = []

    def walk(patterns: list[Any], namespace: str, prefix: str, kwargs: list[str]) -> None:
        for entry in patterns:
            own = list(getattr(entry.pattern, "converters", {}))
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, prefix + str(entry.pattern), kwargs + own)
                continue
            view = getattr(entry.callback, "view_class", entry.callback)
            name = namespace + entry.name if entry.name else prefix + str(entry.pattern)
            found.append((name, getattr(view, "__module__", ""), view, kwargs + own))

    walk(get_resolver().url_patterns, "", "/", [])
    return found


def _is_ours(module: str) -> bool:
    return module.startswith("tenderpoint.")


def _uses_policy(view: Any) -> bool:
    return isinstance(view, type) and issubclass(view, AccessPolicyView)


POLICY_ROUTES = sorted(entry[0] for entry in _routes() if _uses_policy(entry[2]))


def test_every_view_of_ours_declares_its_access() -> None:
    missing = [
        f"{name} ({module})"
        for name, module, view, _ in _routes()
        if _is_ours(module) and not _uses_policy(view) and not hasattr(view, PUBLIC_VIEW_ATTRIBUTE)
    ]
    assert not missing, (
        "These URLs' views neither use the access mixin (tenderpoint.web.common.access) nor "
        "are marked @public_view: " + ", ".join(missing)
    )


def test_every_policy_url_has_a_matrix_line() -> None:
    missing = [name for name in POLICY_ROUTES if name not in MATRIX]
    assert not missing, (
        "Add a line to MATRIX in tests/web/test_persona_matrix.py for: " + ", ".join(missing)
    )
    stale = sorted(set(MATRIX) - set(POLICY_ROUTES))
    assert not stale, "MATRIX names URLs that no longer exist: " + ", ".join(stale)
    for name, personas in MATRIX.items():
        unknown = set(personas.split()) - set(PERSONAS)
        assert not unknown, f"MATRIX[{name!r}] names unknown personas {sorted(unknown)}"


@pytest.fixture
def matrix_world(world):  # type: ignore[no-untyped-def]
    world.operator = UserFactory(email="olaf@example.org", is_superuser=True, is_staff=True)
    enrol_totp(world.operator)
    world.staff_before_mfa = member(world.clinic, Role.NURSE, email="newbie@example.org")
    world.contact_request = ContactRequest.objects.create(
        clinic=world.clinic,
        name="Vera Visitor",
        email="vera@example.org",
        preferred_method="email",
        reason="other",
        message="My pain is worse.",
        consent_to_contact=True,
    )
    return world


def _signed_in(user: Any, *, second_factor: bool) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if second_factor:
        session = client.session
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session.save()
    return client


def _url(name: str, world: Any) -> str:
    kwarg_names = next(entry[3] for entry in _routes() if entry[0] == name)
    missing = [kwarg for kwarg in kwarg_names if kwarg not in URL_KWARGS]
    if missing:
        pytest.fail(f"{name}: add URL_KWARGS entries for {missing} (tests/web/test_persona_matrix)")
    return reverse(name, kwargs={kwarg: URL_KWARGS[kwarg](world) for kwarg in kwarg_names})


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_persona_matrix(matrix_world, name: str) -> None:  # type: ignore[no-untyped-def]
    world = matrix_world
    url = _url(name, world)
    view = next(entry[2] for entry in _routes() if entry[0] == name)
    allowed = set(MATRIX[name].split())
    ok_status = 200 if "get" in view.http_method_names else 405
    problems: list[str] = []
    for persona in PERSONAS:
        before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)
        last = before.first() or 0
        if persona == "anonymous":
            response = Client().get(url)
            if response.status_code != 302 or not response["Location"].startswith(
                reverse("account_login")
            ):
                problems.append(f"anonymous: {response.status_code}, not sent to sign in")
            continue
        user = getattr(world, persona)
        client = _signed_in(user, second_factor=persona != "staff_before_mfa")
        response = client.get(url)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        events = list(AuditEvent.objects.filter(sequence__gt=last, actor_id=user.pk))
        for marker, may_see in MARKERS.items():
            if marker in body and persona not in may_see:
                problems.append(f"{persona}: sees {marker!r}")
        if persona == "staff_before_mfa":
            if response.status_code != 302:
                problems.append(f"staff before MFA: {response.status_code}, not sent to enrol")
            if any(event.action == "view" for event in events):
                problems.append("staff before MFA: a view was recorded")
            continue
        expected = ok_status if persona in allowed else 403
        if response.status_code != expected:
            problems.append(f"{persona}: {response.status_code}, expected {expected}")
        expected_action = "denied" if expected == 403 else ("view" if expected == 200 else None)
        if expected_action and not any(event.action == expected_action for event in events):
            problems.append(f"{persona}: no {expected_action!r} audit event")
    assert not problems, f"{name} ({url}):\n  " + "\n  ".join(problems)
