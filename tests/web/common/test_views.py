"""Health check, security headers, error pages, idle time-out and the staff MFA gate."""

from __future__ import annotations

import time

import pytest
from django.db import DatabaseError
from django.urls import reverse

from tenderpoint.web.common.middleware import LAST_SEEN_SESSION_KEY
from tests.web.factories import UserFactory, member


@pytest.mark.django_db
def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_database(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_content_security_policy_is_strict(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_only_the_cms_may_run_inline_scripts(client):
    cms = client.get("/cms/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in cms
    assert "unsafe-eval" not in cms
    assert "unsafe-inline" not in client.get("/healthz")["Content-Security-Policy"]


@pytest.mark.django_db
def test_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_server_error_page_renders_without_context():
    from django.test import RequestFactory

    from tenderpoint.web.common.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_staff_idle_for_longer_than_the_timeout_is_signed_out(world, client_for, settings):
    settings.TENDERPOINT_STAFF_IDLE_TIMEOUT_MIN = 15
    client = client_for(world.clinician)
    client.get(reverse("patients:list"))
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = time.time() - 16 * 60
    session.save()
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_patient_keeps_a_longer_timeout(world, client_for, settings):
    settings.TENDERPOINT_STAFF_IDLE_TIMEOUT_MIN = 15
    settings.TENDERPOINT_PATIENT_IDLE_TIMEOUT_MIN = 60
    client = client_for(world.patient)
    url = world.patient_record.get_absolute_url()
    client.get(url)
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = time.time() - 16 * 60
    session.save()
    assert client.get(url).status_code == 200


def test_last_seen_is_rewritten_at_most_every_resolution_interval(world, client_for):
    from tenderpoint.web.common.middleware import LAST_SEEN_RESOLUTION_S

    client = client_for(world.patient)
    url = world.patient_record.get_absolute_url()
    client.get(url)
    first = client.session[LAST_SEEN_SESSION_KEY]
    client.get(url)
    assert client.session[LAST_SEEN_SESSION_KEY] == first  # no session write on this request
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = time.time() - LAST_SEEN_RESOLUTION_S
    session.save()
    client.get(url)
    assert client.session[LAST_SEEN_SESSION_KEY] > time.time() - LAST_SEEN_RESOLUTION_S


def test_page_carries_the_timeout_for_the_warning_script(world, client_for):
    body = client_for(world.nurse).get(reverse("patients:list")).content.decode()
    assert 'data-idle-timeout-min="15"' in body
    assert 'id="idle-warning"' in body
    assert "Stay signed in" in body


def test_keepalive_needs_post_and_a_session(world, client, client_for):
    assert client.post(reverse("keepalive")).status_code == 302  # anonymous → sign in
    signed_in = client_for(world.nurse)
    assert signed_in.get(reverse("keepalive")).status_code == 405
    assert signed_in.post(reverse("keepalive")).json() == {"status": "ok"}


def test_staff_without_mfa_are_sent_to_enrol_before_patient_data(world, client_for):
    newcomer = member(world.clinic, "clinician", email="new@example.org")
    response = client_for(newcomer).get(world.patient_record.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_enrolment_needed")  # by invitation only


def test_patients_are_not_forced_to_enrol_mfa(world, client_for):
    response = client_for(world.patient).get(world.patient_record.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.django_db
def test_superuser_must_enrol_mfa_for_the_operator_site(client):
    operator = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(operator)
    response = client.get("/operator/")
    assert response["Location"] == reverse("mfa_enrolment_needed")  # by invitation only


def test_every_signed_in_response_is_no_store(world, client_for, client):
    """Defect 6: pages with patient data carried no Cache-Control."""
    signed_in = client_for(world.clinician)
    for url in (world.patient_record.get_absolute_url(), "/patients/", "/home/"):
        response = signed_in.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "Cookie" in response["Vary"]
    refused = client_for(world.other_clinician).get(world.patient_record.get_absolute_url())
    assert refused.status_code == 403
    assert "no-store" in refused["Cache-Control"]
    from django.test import Client

    anonymous = Client().get("/robots.txt")
    assert "no-store" not in anonymous.get("Cache-Control", "")
