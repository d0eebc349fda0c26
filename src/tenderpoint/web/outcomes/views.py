"""Outcome pages: one patient's (care team) and the clinic's dashboard (clinicians, admin)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import ClinicView, RecordView
from tenderpoint.web.outcomes import charts, services
from tenderpoint.web.outcomes.dashboard import Filters
from tenderpoint.web.outcomes.deidentified import table_lines
from tenderpoint.web.outcomes.forms import FilterForm
from tenderpoint.web.outcomes.models import OutcomeSnapshot
from tenderpoint.web.outcomes.patient_page import patient_outcomes
from tenderpoint.web.patients.access import PatientRecordView


class PatientOutcomesView(PatientRecordView, TemplateView):
    """Response, relief, durability, flares and the booster forecast beside the model line."""

    permission = "clinic_outcomes.view_patient_outcomes"
    template_name = "outcomes/patient_outcomes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["outcomes"] = patient_outcomes(self.patient)
        return context


class ClinicOutcomesView(ClinicView, TemplateView):
    """The latest snapshot for the chosen filters; POST queues a recomputation."""

    permission = "clinic_outcomes.view_dashboard"
    audit_object_type = "clinic_outcomes.dashboard"
    template_name = "outcomes/clinic_dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or FilterForm(self.request.GET or None)
        filters = form.filters() if form.is_bound and form.is_valid() else Filters()
        snapshot = (
            OutcomeSnapshot.objects.filter(clinic=self.clinic, filters=filters.as_dict())
            .order_by("-requested_at")
            .first()
        )
        figures = snapshot.figures if snapshot is not None else {}
        context.update(
            form=form,
            snapshot=snapshot,
            figures=figures,
            filters_query=self.request.GET.urlencode(),
            durability_chart=charts.km_chart(
                figures.get("durability", {}).get("curve", []), "Still in relief"
            ),
            can_review=self.request.user.role == "clinic_admin",
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FilterForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=422)
        services.do_request_snapshot(
            self.clinic, user=request.user, request=request, filters=form.filters()
        )
        query = "&".join(f"{k}={v}" for k, v in form.filters().as_dict().items())
        return redirect(f"{request.path}?{query}" if query else request.path)


class SnapshotExportView(RecordView):
    """The de-identified per-patient table of one snapshot, streamed as CSV."""

    permission = "clinic_outcomes.view_snapshot"
    model = OutcomeSnapshot
    url_kwarg = "snapshot_id"

    def get(self, request: HttpRequest, snapshot_id: Any) -> HttpResponse:
        snapshot = self.object
        audit.record(
            Action.EXPORT,
            request=request,
            obj=snapshot,
            detail={"rows": len(snapshot.patient_table), "deidentified": True},
        )
        # The table is stored with the snapshot (one row per patient), so it is written whole.
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table_lines(snapshot.patient_table))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="outcomes-{snapshot.public_id}-deidentified.csv"'
        )
        return response


class SnapshotReviewView(RecordView):
    """A clinic administrator marks a snapshot reviewed so it may be published."""

    permission = "clinic_outcomes.review_snapshot"
    model = OutcomeSnapshot
    url_kwarg = "snapshot_id"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, snapshot_id: Any) -> HttpResponse:
        services.do_review_snapshot(self.object, user=request.user, request=request)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "clinic_outcomes:dashboard"  # never redirect off this site
        return redirect(target)
