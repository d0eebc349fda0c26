"""Background work of the public site."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from tenderpoint.web.accounts.choices import CARE_TEAM_ROLES


@task()
def notify_staff_of_contact_request(contact_request_id: int) -> int:
    """Tell the clinic's care team a request is waiting; the e-mail carries no personal or health
    detail, only a link to the inbox (sign-in and MFA required there). Returns recipients."""
    from tenderpoint.web.accounts.models import Membership
    from tenderpoint.web.public.models import ContactRequest

    contact_request = ContactRequest.objects.select_related("clinic").get(pk=contact_request_id)
    clinic = contact_request.clinic
    recipients = sorted(
        {clinic.email} - {""}
        | set(
            Membership.objects.filter(
                clinic=clinic, role__in=CARE_TEAM_ROLES, is_active=True, user__is_active=True
            ).values_list("user__email", flat=True)
        )
    )
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "public:inbox_detail", kwargs={"request_id": contact_request.public_id}
    )
    send_mail(
        subject=f"[{clinic.name}] New contact request {contact_request.short_id}",
        message=(
            f"A new contact request ({contact_request.short_id}) is waiting in the inbox.\n\n"
            f"Open it after signing in: {link}\n\n"
            "For privacy, this e-mail contains no details of the request."
        ),
        from_email=None,
        recipient_list=recipients,
    )
    type(contact_request).objects.filter(pk=contact_request.pk).update(
        staff_notified_at=timezone.now()
    )
    return len(recipients)
