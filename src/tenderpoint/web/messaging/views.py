"""The patient's message thread at /me/messages/."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tenderpoint.web.messaging import services
from tenderpoint.web.messaging.models import MESSAGE_MAX_CHARS
from tenderpoint.web.portal.access import OwnRecordView


class PatientMessagesView(OwnRecordView):
    audit_object_type = "messaging.message"
    portal_section = "messages"

    def _render(
        self, request: HttpRequest, body: str = "", error: str = "", status: int = 200
    ) -> HttpResponse:
        thread = services.thread_for(self.patient)
        services.mark_read(thread, by_patient=True)
        context = {
            "thread": thread,
            "thread_messages": thread.messages.select_related("sender"),
            "body": body,
            "error": error,
            "max_chars": MESSAGE_MAX_CHARS,
            "clinic": self.patient.clinic,
        }
        return render(request, "messaging/patient_thread.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        body = request.POST.get("body", "")
        try:
            services.do_send_message(
                self.patient, user=request.user, request=request, body=body, from_patient=True
            )
        except ValidationError as error:
            return self._render(request, body, " ".join(error.messages), status=422)
        flash.success(request, "Your message was sent to your care team.")
        response = redirect("portal:messages")
        response.status_code = 303
        return response
