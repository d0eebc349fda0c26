"""The patient's diary at /me/diary/: the form, recent entries, same-day correction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tenderpoint.web.common.access import RecordView
from tenderpoint.web.diary import services
from tenderpoint.web.diary.forms import SCALES, DiaryEntryForm, initial_from
from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.portal.access import OwnRecordView
from tenderpoint.web.portal.timezones import patient_zone

RECENT = 7


class DiaryView(OwnRecordView):
    """GET: the form pre-filled from the last entry and the recent entries; POST: a new entry."""

    audit_object_type = "diary.diaryentry"
    portal_section = "diary"

    def _render(
        self, request: HttpRequest, form: DiaryEntryForm, status: int = 200
    ) -> HttpResponse:
        today = self.local_now().date()
        recent = list(
            DiaryEntry.objects.filter(patient=self.patient).order_by("-recorded_at")[:RECENT]
        )
        for entry in recent:
            entry.correctable = entry.local_date == today and not entry.is_entered_in_error
        context = {"form": form, "recent": recent, "today": today, "scales": SCALES}
        return render(request, "diary/diary.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = DiaryEntryForm(initial=initial_from(services.last_entry(self.patient)))
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DiaryEntryForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=422)
        services.do_record_entry(
            self.patient, user=request.user, request=request, data=form.cleaned_data
        )
        messages.success(request, "Saved. Thank you for filling in your diary.")
        return _see_other("portal:diary")


def _see_other(name: str, **kwargs: Any) -> HttpResponse:
    """303 after a successful POST, so a reload does not post again."""
    response = redirect(name, **kwargs)
    response.status_code = 303
    return response


class _OwnEntryView(RecordView):
    """One diary entry of the signed-in patient's own record (403 + audit for anyone else)."""

    abstract_policy = True
    permission = "diary.change_own_entry"
    model = DiaryEntry
    url_kwarg = "entry_id"
    audit_object_type = "diary.diaryentry"

    def resolve_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        entry = super().resolve_object(request, **kwargs)
        timezone.activate(patient_zone(entry.patient))
        request.portal_section = "diary"  # type: ignore[attr-defined]
        return entry


class DiaryEntryEditView(_OwnEntryView):
    """Correct an entry on the day it was made."""

    def get(self, request: HttpRequest, entry_id: Any) -> HttpResponse:
        entry = self.object
        services.check_can_correct(entry)
        initial = {**initial_from(entry), "flare": entry.flare, "note": entry.note}
        return render(
            request,
            "diary/entry_edit.html",
            {"form": DiaryEntryForm(initial=initial), "entry": entry},
        )

    def post(self, request: HttpRequest, entry_id: Any) -> HttpResponse:
        entry = self.object
        services.check_can_correct(entry)
        form = DiaryEntryForm(request.POST)
        if not form.is_valid():
            return render(
                request, "diary/entry_edit.html", {"form": form, "entry": entry}, status=422
            )
        services.do_correct_entry(entry, user=request.user, request=request, data=form.cleaned_data)
        messages.success(request, "Your entry was corrected.")
        return _see_other("portal:diary")


class DiaryEntryErrorView(_OwnEntryView):
    """Mark an entry entered in error (kept in the history, never deleted)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, entry_id: Any) -> HttpResponse:
        entry = self.object
        if entry.is_entered_in_error:
            raise PermissionDenied("This entry is already marked entered in error.")
        services.do_mark_entered_in_error(
            entry, user=request.user, request=request, reason="marked by the patient"
        )
        messages.success(request, "The entry is marked as a mistake. It no longer counts.")
        return _see_other("portal:diary")
