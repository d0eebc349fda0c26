"""The care team's view of a patient's diary: a chart, weekly averages and every entry."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from tenderpoint.web.diary.models import DiaryEntry
from tenderpoint.web.diary.services import diary_frame
from tenderpoint.web.patients.access import PatientRecordView
from tenderpoint.web.portal import cache as portal_cache
from tenderpoint.web.portal import charts, progress
from tenderpoint.web.portal.infusion_links import infusion_days
from tenderpoint.web.portal.timezones import local_now

PAGE_SIZE = 50


class StaffDiaryView(PatientRecordView, TemplateView):
    permission = "portal.view_patient_chart"
    audit_object_type = "diary.diaryentry"
    template_name = "diary/staff_diary.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = local_now(self.patient).date()

        def build() -> dict[str, Any]:
            diary = diary_frame(self.patient, since=today - datetime.timedelta(days=365))
            weekly = progress.weekly_means(diary)
            flares = progress.flare_days(diary)
            return {
                "trends": progress.trends(weekly, today),
                "pain_chart": charts.score_chart(
                    weekly, "pain", infusion_days(self.patient), flares
                ),
                "rows": progress.as_rows(weekly),
            }

        context.update(portal_cache.cached(self.patient, f"staff-diary:{today}", build))
        entries = DiaryEntry.objects.filter(patient=self.patient).order_by("-recorded_at")
        context["page"] = Paginator(entries, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context["today"] = today
        return context
