"""The one-body-map criteria assessment: enter once, see every criterion side by side."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tenderpoint.clinical import body
from tenderpoint.errors import TenderpointError
from tenderpoint.web.assessments import services
from tenderpoint.web.assessments.forms import CriteriaForm, DiagnosisForm
from tenderpoint.web.assessments.models import CriteriaAssessment, DiagnosisDecision
from tenderpoint.web.infusions.views import ConsoleView, apply_error

# Where each WPI area and tender point sits on the body map grid (row, column; front view,
# the patient's left on the viewer's right).
MAP_LAYOUT = {
    "jaw_right": (1, 2),
    "jaw_left": (1, 4),
    "neck": (1, 3),
    "shoulder_girdle_right": (2, 1),
    "chest": (2, 3),
    "shoulder_girdle_left": (2, 5),
    "upper_arm_right": (3, 1),
    "upper_back": (3, 3),
    "upper_arm_left": (3, 5),
    "lower_arm_right": (4, 1),
    "abdomen": (4, 3),
    "lower_arm_left": (4, 5),
    "hip_right": (5, 2),
    "lower_back": (5, 3),
    "hip_left": (5, 4),
    "upper_leg_right": (6, 2),
    "upper_leg_left": (6, 4),
    "lower_leg_right": (7, 2),
    "lower_leg_left": (7, 4),
}


def assessment_url(assessment: CriteriaAssessment) -> str:
    return reverse(
        "assessments:detail",
        kwargs={"patient_id": assessment.patient.public_id, "assessment_id": assessment.public_id},
    )


class AssessmentCreateView(ConsoleView):
    template_name = "assessments/criteria_form.html"
    section = "assessments"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", CriteriaForm())
        chosen = set(form["wpi_areas"].value() or [])
        context["map_areas"] = [
            {
                "id": a.id,
                "label": a.label,
                "row": MAP_LAYOUT[a.id][0],
                "col": MAP_LAYOUT[a.id][1],
                "checked": a.id in chosen,
            }
            for a in body.WPI_AREAS
        ]
        points = set(form["positive_tender_points"].value() or [])
        context["tender_points"] = [
            {"id": p.id, "label": p.label, "site": p.site, "checked": p.id in points}
            for p in body.TENDER_POINTS
        ]
        context["aapt_sites"] = body.AAPT_SITES
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CriteriaForm(request.POST)
        if not form.is_valid():
            return self.invalid(form=form)
        try:
            assessment = services.do_create_assessment(
                self.patient,
                user=request.user,
                inputs=services.core_inputs(form.cleaned_data),
                request=request,
            )
        except TenderpointError as error:
            apply_error(form, error)
            return self.invalid(form=form)
        return redirect(assessment_url(assessment))


class AssessmentDetailView(ConsoleView):
    template_name = "assessments/criteria_detail.html"
    section = "assessments"

    def get_assessment(self) -> CriteriaAssessment:
        try:
            return CriteriaAssessment.objects.get(
                patient=self.patient, public_id=self.kwargs["assessment_id"]
            )
        except CriteriaAssessment.DoesNotExist:
            raise Http404("No such assessment for this patient.") from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        context["assessment"] = assessment
        context["criteria"] = list(assessment.result["criteria"].items())
        context["areas"] = [body.WPI_AREA_BY_ID[a].label for a in assessment.inputs["wpi_areas"]]
        context["aapt_sites"] = [
            s.label for s in body.AAPT_SITES if s.id in assessment.inputs.get("aapt_pain_sites", [])
        ]
        labels = {region.id: region.label for region in body.REGIONS}
        context["regions"] = [
            labels[r] for r in body.regions_with_pain(assessment.inputs["wpi_areas"])
        ]
        context.setdefault(
            "diagnosis_form", DiagnosisForm(initial={"status": self.patient.diagnosis_status})
        )
        context["decisions"] = DiagnosisDecision.objects.filter(
            patient=self.patient
        ).select_related("decided_by")[:5]
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        if request.POST.get("action") == "sign":
            try:
                services.do_sign_assessment(assessment, user=request.user, request=request)
            except (PermissionDenied, services.RecordLockedError) as error:
                messages.error(request, str(error))
                return self.invalid()
            messages.success(request, "Assessment signed.")
            return redirect(assessment_url(assessment))
        form = DiagnosisForm(request.POST)
        if form.is_valid():
            try:
                services.do_set_diagnosis(
                    self.patient,
                    user=request.user,
                    status=form.cleaned_data["status"],
                    assessment=assessment,
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                apply_error(form, error)
            else:
                messages.success(request, "Diagnosis status recorded.")
                return redirect(assessment_url(assessment))
        return self.invalid(diagnosis_form=form)
