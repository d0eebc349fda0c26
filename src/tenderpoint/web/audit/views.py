"""The clinic administrator's view of their clinic's audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenderpoint.web.accounts.views import require_clinic_admin
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.audit.models import AuditEvent


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request)
    events = AuditEvent.objects.filter(clinic_id=request.user.clinic.pk).order_by("-sequence")
    action = request.GET.get("action", "")
    if action in Action.values:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "actions": Action.choices, "selected_action": action},
    )
