"""The care team's side: a patient's results with their explanation, safety flags, the
clinic-wide urgent list, and the clinic administrator's schedule."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView

from tenderpoint.clinical import get_instrument
from tenderpoint.web.accounts.views import ClinicAdminView
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import ClinicView
from tenderpoint.web.patients.access import PatientRecordView
from tenderpoint.web.questionnaires import services
from tenderpoint.web.questionnaires.models import (
    Cadence,
    QuestionnaireResponse,
    SafetyFlag,
    SafetySettings,
    ScheduleRule,
)
from tenderpoint.web.questionnaires.schedule import DEFAULT_RULES, clinic_rules


class StaffQuestionnairesView(PatientRecordView, TemplateView):
    permission = "portal.view_patient_chart"
    audit_object_type = "questionnaires.questionnaireresponse"
    template_name = "questionnaires/staff_results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        responses = list(QuestionnaireResponse.objects.filter(patient=self.patient)[:100])
        for response in responses:
            try:
                response.instrument = get_instrument(response.instrument_id)
            except Exception:  # noqa: BLE001  (an instrument retired since; show the raw id)
                response.instrument = None
        context["responses"] = responses
        context["flags"] = SafetyFlag.objects.filter(patient=self.patient).select_related(
            "acknowledged_by"
        )
        context.setdefault("ack_errors", {})
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Acknowledge one flag (``flag`` = its public id) with an action note."""
        try:  # a malformed id is "no such flag" (404), not a server error
            flag_id = uuid.UUID(str(request.POST.get("flag", "")))
        except ValueError:
            raise Http404("No such flag.") from None
        flag = SafetyFlag.objects.filter(patient=self.patient, public_id=flag_id).first()
        if flag is None:
            raise Http404("No such flag.")
        note = request.POST.get("action_note", "")
        try:
            services.do_acknowledge_flag(flag, user=request.user, request=request, action_note=note)
        except ValidationError as error:
            context = self.get_context_data(**kwargs)
            context["ack_errors"] = {str(flag.public_id): " ".join(error.messages)}
            context["ack_note"] = note
            return self.render_to_response(context, status=422)
        messages.success(request, "Flag acknowledged; your note is recorded.")
        response = redirect("patients:questionnaires_staff:list", patient_id=self.patient.public_id)
        response.status_code = 303
        return response


class FlagListView(ClinicView):
    """Unacknowledged flags of the clinic (the same list the staff home shows)."""

    permission = "portal.view_clinic_lists"
    audit_object_type = "questionnaires.safetyflag_list"

    def get(self, request: HttpRequest) -> HttpResponse:
        flags = services.open_flags_for(request.user)
        return render(request, "questionnaires/flag_list.html", {"flags": flags})


class ScheduleForm(forms.Form):
    escalation_hours = forms.IntegerField(
        min_value=1,
        max_value=72,
        label="Escalate an unacknowledged PHQ-9 item 9 flag to every clinician after (hours)",
    )

    def __init__(self, *args: Any, rules: dict[str, tuple[bool, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for instrument_id in DEFAULT_RULES:
            at_baseline, cadence = rules.get(instrument_id, (False, Cadence.OFF))
            title = get_instrument(instrument_id).title
            self.fields[f"{instrument_id}__baseline"] = forms.BooleanField(
                required=False, initial=at_baseline, label=f"{title}: at baseline"
            )
            self.fields[f"{instrument_id}__cadence"] = forms.ChoiceField(
                choices=Cadence.choices, initial=cadence, label=f"{title}: how often"
            )


class ScheduleView(ClinicAdminView):
    """The clinic administrator sets which questionnaires are due when, and the escalation."""

    audit_object_type = "questionnaires.schedulerule"

    def get(self, request: HttpRequest) -> HttpResponse:
        return schedule_edit(request, self.clinic)

    def post(self, request: HttpRequest) -> HttpResponse:
        return schedule_edit(request, self.clinic)


def schedule_edit(request: HttpRequest, clinic: Any) -> HttpResponse:
    """The clinic administrator sets which questionnaires are due when, and the escalation."""
    settings_row, _ = SafetySettings.objects.get_or_create(clinic=clinic)
    all_rules = {**dict.fromkeys(DEFAULT_RULES, (False, Cadence.OFF)), **clinic_rules(clinic)}
    form = ScheduleForm(
        request.POST or None,
        rules=all_rules,
        initial={"escalation_hours": settings_row.escalation_hours},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for instrument_id in DEFAULT_RULES:
                ScheduleRule.objects.update_or_create(
                    clinic=clinic,
                    instrument_id=instrument_id,
                    defaults={
                        "at_baseline": form.cleaned_data[f"{instrument_id}__baseline"],
                        "cadence": form.cleaned_data[f"{instrument_id}__cadence"],
                    },
                )
            settings_row.escalation_hours = form.cleaned_data["escalation_hours"]
            settings_row.save()
            audit.record(
                Action.UPDATE, request=request, obj=settings_row, detail={"schedule": True}
            )
        messages.success(request, "The questionnaire schedule is saved.")
        response = redirect("questionnaires_clinic:schedule")
        response.status_code = 303
        return response
    status = 422 if request.method == "POST" else 200
    return render(request, "questionnaires/schedule.html", {"form": form}, status=status)
