"""Patient list (the care team's home), profile, registration and editing."""

from __future__ import annotations

from typing import Any

import rules
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import ClinicView
from tenderpoint.web.patients import services
from tenderpoint.web.patients.access import PatientRecordView
from tenderpoint.web.patients.forms import PatientForm, PatientSearchForm
from tenderpoint.web.patients.models import Patient

PAGE_SIZE = 25


class PatientListView(ClinicView, TemplateView):
    """The clinic's patients with search; htmx requests get only the results table."""

    permission = "patients.list_patients"
    audit_object_type = "patients.patient_list"
    template_name = "patients/patient_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PatientSearchForm(request.GET)
        if not form.is_valid():
            # A query past the limit is refused with the reason, never cut or dropped.
            return render(
                request, self.template_name, {"form": form, "page": None, "query": ""}, status=422
            )
        query = form.cleaned_data["q"].strip()
        patients = Patient.objects.for_user(request.user).current()
        if query:
            patients = patients.filter(
                Q(given_name__icontains=query)
                | Q(family_name__icontains=query)
                | Q(preferred_name__icontains=query)
                | Q(medical_record_number__icontains=query)
            )
        page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
        self.audit_detail = {"query": query, "page": page.number, "shown": len(page.object_list)}
        template = self.template_name + ("#results" if request.htmx else "")
        return render(request, template, {"form": form, "page": page, "query": query})


class PatientDetailView(PatientRecordView, TemplateView):
    """The patient's profile; for a patient, their own record."""

    permission = "patients.view_patient"
    template_name = "patients/patient_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_edit"] = rules.has_perm(
            "patients.change_patient", self.request.user, self.patient
        )
        return context


class PatientEditView(PatientRecordView, TemplateView):
    """Edit the profile; the audit event lists which fields changed."""

    permission = "patients.change_patient"
    template_name = "patients/patient_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", PatientForm(instance=self.patient))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PatientForm(request.POST, instance=self.patient)
        if form.is_valid():
            services.do_update_patient(
                form.save(commit=False),
                user=request.user,
                request=request,
                changed=form.changed_data,
            )
            return redirect(self.patient)
        audit.record(
            Action.VIEW,
            request=request,
            object_type=self.audit_object_type,
            object_id=str(self.patient.public_id),
            patient=self.patient,
        )
        return self.render_to_response(self.get_context_data(form=form), status=422)


class PatientCreateView(ClinicView, TemplateView):
    """Register a new patient at the user's clinic."""

    permission = "patients.add_patient"
    audit_object_type = "patients.patient"
    template_name = "patients/patient_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, self.template_name, {"form": PatientForm(clinic=self.clinic)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PatientForm(request.POST, clinic=self.clinic)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            patient = services.do_create_patient(user=request.user, request=request, **fields)
            return redirect(patient)
        return render(request, self.template_name, {"form": form}, status=422)
