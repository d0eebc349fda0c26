"""The care team's side of messages: a patient's thread with reply, and the clinic inbox."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView

from tenderpoint.web.accounts.choices import CARE_TEAM_ROLES
from tenderpoint.web.accounts.models import User
from tenderpoint.web.common.access import ClinicView
from tenderpoint.web.messaging import services
from tenderpoint.web.messaging.models import MESSAGE_MAX_CHARS, ThreadStatus
from tenderpoint.web.patients.access import PatientRecordView


class StaffThreadView(PatientRecordView, TemplateView):
    permission = "portal.view_patient_chart"
    audit_object_type = "messaging.message"
    template_name = "messaging/staff_thread.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        thread = services.thread_for(self.patient)
        services.mark_read(thread, by_patient=False)
        context.update(
            thread=thread,
            thread_messages=thread.messages.select_related("sender"),
            max_chars=MESSAGE_MAX_CHARS,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        body = request.POST.get("body", "")
        try:
            services.do_send_message(
                self.patient, user=request.user, request=request, body=body, from_patient=False
            )
        except ValidationError as error:
            context = self.get_context_data(**kwargs)
            context.update(body=body, error=" ".join(error.messages))
            return self.render_to_response(context, status=422)
        flash.success(request, "Reply sent; the patient gets an e-mail saying a message waits.")
        response = redirect("patients:messaging_staff:thread", patient_id=self.patient.public_id)
        response.status_code = 303
        return response


def _care_team(clinic: Any) -> list[User]:
    return list(
        User.objects.filter(
            memberships__clinic=clinic,
            memberships__is_active=True,
            memberships__role__in=CARE_TEAM_ROLES,
            is_active=True,
        ).order_by("full_name")
    )


class InboxView(ClinicView):
    """Every thread of the clinic: unread counts, assignment, status; filter by status."""

    permission = "portal.view_clinic_lists"
    audit_object_type = "messaging.inbox"

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        threads = services.inbox_for(request.user)
        if status in ThreadStatus.values:
            threads = threads.filter(status=status)
        self.audit_detail["status"] = status
        context = {
            "threads": threads[:200],
            "care_team": _care_team(self.clinic),
            "statuses": ThreadStatus.choices,
            "status": status,
        }
        return render(request, "messaging/inbox.html", context)


class UpdateThreadView(PatientRecordView):
    """Assign a patient's thread and set its status (POST from the inbox)."""

    permission = "portal.change_patient_chart"
    audit_object_type = "messaging.thread"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, patient_id: Any) -> HttpResponse:
        patient = self.patient
        assignee_id = request.POST.get("assigned_to") or None
        assignee = None
        if assignee_id:
            team = _care_team(patient.clinic)
            assignee = next((u for u in team if str(u.pk) == assignee_id), None)
            if assignee is None:
                raise PermissionDenied("Threads are assigned to the clinic's own care team.")
        status = request.POST.get("status", ThreadStatus.OPEN)
        if status not in ThreadStatus.values:
            status = ThreadStatus.OPEN
        services.do_update_thread(
            services.thread_for(patient),
            user=request.user,
            request=request,
            assigned_to=assignee,
            status=status,
        )
        flash.success(request, f"Thread of {patient.display_name} updated.")
        response = redirect("messaging_clinic:inbox")
        response.status_code = 303
        return response
