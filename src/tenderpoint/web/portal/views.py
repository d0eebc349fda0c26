"""The patient's portal pages: today, progress, settings and the exports of their own data."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.diary.services import last_entry
from tenderpoint.web.messaging.services import unread_for_patient
from tenderpoint.web.portal import cache as portal_cache
from tenderpoint.web.portal import exports, progress_page, services
from tenderpoint.web.portal.access import OwnRecordView
from tenderpoint.web.portal.forms import ContactForm, ReminderForm
from tenderpoint.web.portal.infusion_links import next_visit
from tenderpoint.web.questionnaires.schedule import scheduled_for


class HomeView(OwnRecordView):
    audit_object_type = "patients.patient"
    portal_section = "home"

    def get(self, request: HttpRequest) -> HttpResponse:
        now = self.local_now()
        today = now.date()
        due = [s for s in scheduled_for(self.patient, today) if s.due and s.answerable]
        context = {
            "today": today,
            "diary_done_today": DiaryEntry.objects.filter(patient=self.patient, local_date=today)
            .current()
            .exists(),
            "last": last_entry(self.patient),
            "due": due,
            "unread": unread_for_patient(self.patient),
            "next_visit": next_visit(self.patient, now),
            "patient": self.patient,
        }
        return render(request, "portal/home.html", context)


class ProgressView(OwnRecordView):
    audit_object_type = "diary.diaryentry"
    portal_section = "progress"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = self.local_now().date()
        page = portal_cache.latest(self.patient, progress_page.CACHE_NAME, today)
        if page is None:
            context = {"preparing": True, "today": today}
        else:
            context = {"body": page.value, "today": today, "updating": page.stale}
        return render(request, "portal/progress.html", context)


class SettingsView(OwnRecordView):
    audit_object_type = "patients.patient"
    portal_section = "settings"

    def _render(
        self, request: HttpRequest, contact: ContactForm, reminders: ReminderForm, status: int = 200
    ) -> HttpResponse:
        context = {"contact": contact, "reminders": reminders, "patient": self.patient}
        return render(request, "portal/settings.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        prefs = services.preferences_for(self.patient)
        return self._render(
            request, ContactForm(instance=self.patient), ReminderForm(instance=prefs)
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        prefs = services.preferences_for(self.patient)
        contact = ContactForm(request.POST, instance=self.patient)
        reminders = ReminderForm(request.POST, instance=prefs)
        if not (contact.is_valid() and reminders.is_valid()):
            return self._render(request, contact, reminders, status=422)
        services.do_update_settings(
            contact.save(commit=False),
            reminders.save(commit=False),
            user=request.user,
            request=request,
            changed=[*contact.changed_data, *reminders.changed_data],
        )
        messages.success(request, "Your settings are saved.")
        response = redirect("portal:settings")
        response.status_code = 303
        return response


class _ExportView(OwnRecordView):
    audit_object_type = "portal.export"

    def _audit(self, request: HttpRequest, kind: str) -> None:
        audit.record(
            Action.EXPORT,
            request=request,
            object_type=self.audit_object_type,
            object_id=str(self.patient.public_id),
            patient=self.patient,
            detail={"format": kind},
        )

    def _filename(self, extension: str) -> str:
        return f"my-data-{timezone.now():%Y-%m-%d}.{extension}"


class ExportCsvView(_ExportView):
    def get(self, request: HttpRequest) -> HttpResponse:
        self._audit(request, "csv")
        response = HttpResponse(
            exports.export_csv(self.patient), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self._filename("csv")}"'
        return response


class ExportFhirView(_ExportView):
    def get(self, request: HttpRequest) -> HttpResponse:
        self._audit(request, "fhir")
        body = json.dumps(exports.export_fhir(self.patient), indent=1, default=str)
        response = HttpResponse(body, content_type="application/fhir+json")
        response["Content-Disposition"] = f'attachment; filename="{self._filename("fhir.json")}"'
        return response
