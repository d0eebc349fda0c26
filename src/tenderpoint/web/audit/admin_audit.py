"""Every action in the operator admin (``/operator/``) goes to the audit trail: each change
through Django's LogEntry (add, change, delete with its message), and each page read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from tenderpoint.web.audit import services
from tenderpoint.web.audit.choices import Action

_FLAGS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}
ADMIN_PREFIX = "/operator/"


@receiver(post_save, sender=LogEntry)
def _admin_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    content_type = instance.content_type
    services.record(
        Action.ADMIN,
        user=instance.user,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(instance.object_id or "")[:64],
        detail={
            "admin_action": _FLAGS.get(instance.action_flag, str(instance.action_flag)),
            "object": str(instance.object_repr)[:200],
            "message": instance.get_change_message()[:500],
        },
    )


class OperatorAdminReadAuditMiddleware:
    """A GET of an operator admin page by a signed-in user is recorded as a view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "GET"
            and request.path.startswith(ADMIN_PREFIX)
            and "jsi18n" not in request.path
            and request.user.is_authenticated
            and response.status_code == 200
        ):
            services.record(Action.VIEW, request=request, object_type="operator.admin_page")
        return response
