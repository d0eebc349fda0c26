"""The clinic administrator's view of their clinic's audit trail."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import TemplateView

from tenderpoint.web.accounts.views import ClinicAdminView
from tenderpoint.web.audit import services
from tenderpoint.web.audit.choices import Action


class EventListView(ClinicAdminView, TemplateView):
    """The clinic's events, redacted for an administrator by the audit service."""

    audit_object_type = "audit.auditevent_list"
    template_name = "audit/event_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.GET.get("action", "")
        if action not in Action.values:
            action = ""
        events = services.events_for_clinic(self.clinic, action=action or None)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        page.object_list = services.redact_for_clinic_admin(page.object_list)
        self.audit_detail = {"action": action, "page": page.number}
        return render(
            request,
            self.template_name,
            {"page": page, "actions": Action.choices, "selected_action": action},
        )
