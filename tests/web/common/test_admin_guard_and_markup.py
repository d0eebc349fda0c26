"""Issue 13, defect 9: no redirect loop at /cms/ and /operator/ for signed-in users without
access, the message list's live region, the banner inside a landmark, the CMS preview
framing, and canonical addresses from TENDERPOINT_BASE_URL."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tenderpoint.web.audit.models import AuditEvent


@pytest.mark.parametrize("persona", ["patient", "nurse", "clinician"])
@pytest.mark.parametrize("admin_path", ["/operator/", "/cms/"])
def test_a_signed_in_user_without_access_gets_one_refusal_not_a_loop(
    world, client_for, persona, admin_path
):
    client = client_for(world.persona(persona))
    response = client.get(admin_path, follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2  # admin → its log-in URL → refusal; no loop
    assert reverse("account_login") not in [url for url, _ in response.redirect_chain]
    body = response.content.decode()
    assert body.count("permission") <= 1  # not ten stacked "no permission" messages
    assert AuditEvent.objects.filter(
        action="denied", actor_id=world.persona(persona).pk, object_type="admin_site"
    ).exists()


def test_a_visitor_is_still_sent_to_sign_in(client, db):
    response = client.get("/operator/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.status_code == 200


def test_messages_are_a_live_region_around_the_list(world, client_for):
    from tenderpoint.web.accounts.models import Membership

    admin = client_for(world.clinic_admin)
    membership = Membership.objects.get(user=world.nurse)
    admin.post(reverse("accounts:staff_request_mfa_reset", args=[membership.pk]))
    body = admin.get(reverse("accounts:staff")).content.decode()
    assert re.search(r'<div role="status">\s*<ul class="messages">', body)
    assert '<ul class="messages" role="status">' not in body


def test_the_demo_banner_sits_inside_the_banner_landmark(client, db, settings):
    settings.TENDERPOINT_DEMO = True
    body = client.get("/accounts/login/").content.decode()
    header = body[body.index("<header") : body.index("</header>")]
    assert "Demonstration" in header


def test_only_the_cms_preview_may_be_framed_and_only_by_this_site(client, db):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from tenderpoint.web.common.middleware import CMSContentSecurityPolicyMiddleware

    middleware = CMSContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    preview = middleware(RequestFactory().get("/cms/pages/3/edit/preview/"))
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert preview._csp_replace == {"frame-ancestors": ["'self'"]}
    editor = middleware(RequestFactory().get("/cms/pages/3/edit/"))
    assert not hasattr(editor, "_csp_replace")
    assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"
