"""The patient's portal pages: today, progress, settings and the exports of their own data."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.diary.services import diary_frame, last_entry
from tenderpoint.web.messaging.services import unread_for_patient
from tenderpoint.web.portal import cache as portal_cache
from tenderpoint.web.portal import charts, exports, progress, services
from tenderpoint.web.portal.access import OwnRecordView
from tenderpoint.web.portal.forms import ContactForm, ReminderForm
from tenderpoint.web.portal.infusion_links import infusion_days, next_visit
from tenderpoint.web.portal.timezones import local_now
from tenderpoint.web.questionnaires.models import QuestionnaireResponse
from tenderpoint.web.questionnaires.schedule import scheduled_for

TOTAL_CHARTS = {
    "phq9": ("PHQ-9 total (0–27)", 27),
    "gad7": ("GAD-7 total (0–21)", 21),
    "fiqr": ("FIQR total (0–100)", 100),
    "isi": ("ISI total (0–28)", 28),
}


class HomeView(OwnRecordView):
    audit_object_type = "patients.patient"
    portal_section = "home"

    def get(self, request: HttpRequest) -> HttpResponse:
        now = local_now(self.patient)
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


def _progress_context(patient: object, today: datetime.date) -> dict[str, object]:
    """Everything the progress page shows; cached in the shared cache until the next write."""
    diary = diary_frame(patient, since=today - datetime.timedelta(days=365))  # type: ignore[arg-type]
    weekly = progress.weekly_means(diary)
    flares = progress.flare_days(diary)
    infusions = infusion_days(patient)
    score_charts = [
        (
            trend,
            charts.score_chart(
                weekly, trend.score, infusions, flares if trend.score == "pain" else ()
            ),
        )
        for trend in progress.trends(weekly, today)
    ]
    totals = []
    for instrument_id, (title, top) in TOTAL_CHARTS.items():
        points = [
            (r.local_date, float(r.outputs["total"]))
            for r in QuestionnaireResponse.objects.filter(
                patient=patient, instrument_id=instrument_id
            )
            .current()
            .order_by("local_date")
            if isinstance(r.outputs.get("total"), int | float)
        ]
        if points:
            totals.append(
                {"title": title, "points": points, "chart": charts.totals_chart(points, title, top)}
            )
    return {
        "score_charts": score_charts,
        "rows": progress.as_rows(weekly),
        "flare_count": len(flares),
        "recent_flares": flares[-5:],
        "infusions": infusions,
        "totals": totals,
    }


class ProgressView(OwnRecordView):
    audit_object_type = "diary.diaryentry"
    portal_section = "progress"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = local_now(self.patient).date()
        context = portal_cache.cached(
            self.patient,
            f"progress:{today.isoformat()}",
            lambda: _progress_context(self.patient, today),
        )
        return render(request, "portal/progress.html", {**context, "today": today})


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
