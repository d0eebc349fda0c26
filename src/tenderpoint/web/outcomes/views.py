"""Outcome pages: one patient's (care team) and the clinic's dashboard (clinicians, admin)."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

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
