"""Contact requests: stored first, then staff are notified in the background."""

from __future__ import annotations

from typing import Any

import rules
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction

from tenderpoint.web.accounts.models import Clinic
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.public.models import ContactRequest
from tenderpoint.web.public.tasks import notify_staff_of_contact_request


def check_contact_rate_limit(ip_address: str | None) -> bool:
    """True while this address is under the limit; counts the attempt. Shared across servers
    through the cache (the database in production)."""
    key = f"tenderpoint:contact:{ip_address or 'unknown'}"
    window_s = settings.TENDERPOINT_CONTACT_RATE_WINDOW_MIN * 60
    if cache.add(key, 1, timeout=window_s):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_s)
        return True
    return count <= settings.TENDERPOINT_CONTACT_RATE_LIMIT


class ContactPageNotConnected(ImproperlyConfigured):
    """A contact page that names no clinic, in an installation with several."""


def clinic_for_contact_page(page: Any) -> Clinic:
    """The clinic that receives the page's requests: the one the page names; with no name,
    the installation's only clinic. Several clinics and no name is a configuration error,
    never a guess (a request with health details must not reach another clinic's staff)."""
    if page.clinic_id is not None:
        return page.clinic
    clinics = list(Clinic.objects.all()[:2])
    if len(clinics) == 1:
        return clinics[0]
    raise ContactPageNotConnected(
        f"The contact page {page.title!r} names no clinic and this installation has "
        f"{'no' if not clinics else 'several'} clinic(s); choose its clinic in the CMS."
    )


@transaction.atomic  # the write and its audit event commit together, or neither
def do_store_contact_request(form: Any, *, clinic: Any, request: Any) -> ContactRequest:
    """Save the request; only after the commit is the notification queued, so a failing mail
    server can never lose a request."""
    contact_request: ContactRequest = form.save(commit=False)
    contact_request.clinic = clinic
    contact_request.save()
    transaction.on_commit(lambda: notify_staff_of_contact_request.enqueue(contact_request.pk))
    audit.record(Action.CREATE, request=request, obj=contact_request)
    return contact_request


@transaction.atomic  # the write and its audit event commit together, or neither
def do_update_contact_request(
    contact_request: ContactRequest, *, user: Any, request: Any, changed: list[str]
) -> ContactRequest:
    if not rules.has_perm("public.change_contactrequest", user, contact_request):
        raise PermissionDenied("You cannot change this request.")
    contact_request.handled_by = user
    contact_request.save()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=contact_request,
        detail={"fields": sorted(changed), "status": contact_request.status},
    )
    return contact_request


def sync_site_with_base_url(base_url: str) -> tuple[str, int]:
    """Point the default Wagtail site at the address visitors use (TENDERPOINT_BASE_URL), so
    canonical links, ``og:url`` and the sitemap name it instead of Wagtail's placeholder
    ``http://localhost/``. Returns the host name and port now stored."""
    from urllib.parse import urlsplit

    from wagtail.models import Site

    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"TENDERPOINT_BASE_URL={base_url!r} is not an http(s) address such as "
            "https://clinic.example."
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https" and port != 443:
        raise ImproperlyConfigured(
            "Wagtail writes https addresses only for port 443; serve HTTPS on 443."
        )
    Site.objects.filter(is_default_site=True).update(hostname=parts.hostname, port=port)
    return parts.hostname, port
