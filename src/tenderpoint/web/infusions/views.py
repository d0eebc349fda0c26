"""The clinician console: chart, problem and medication lists, contraindication check, courses,
appointments, plans (with predicted concentrations and the double check) and sessions.

Every view under ``/patients/<public_id>/`` is a ``PatientRecordView`` (access rule and audit).
Views parse, call one service or core, and render; errors become 422 with each field named.
"""

from __future__ import annotations

import datetime
from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from tenderpoint.errors import DoseLimitError, TenderpointError
from tenderpoint.pharmacology import models as pk_models
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import posted_record
from tenderpoint.web.infusions import corrections, forms, predictions, services
from tenderpoint.web.infusions.amendment_lines import amendment_lines
from tenderpoint.web.infusions.models import (
    AdverseEvent,
    Appointment,
    Course,
    InfusionPlan,
    InfusionSession,
    LimitOverride,
    PumpEvent,
    VitalSigns,
)
from tenderpoint.web.patients.access import PatientRecordView
from tenderpoint.web.patients.history import (
    INTERACTION_CLASSES,
    PROBLEMS,
    checklist_prefill,
    do_save_entry,
)
from tenderpoint.web.patients.models import Allergy, Medication, Problem


def describe_limit(finding: dict[str, Any]) -> str:
    """One crossed hard limit in words with its value and the limit (rules have neither).

    The core's message already names the limit in words; its code (``rate_mg_per_kg_per_h``)
    is for machines and stays out of what the nurse reads."""
    text = f"Hard limit crossed: {finding['message']}"
    if finding.get("value") is not None and finding.get("limit") is not None:
        unit = finding.get("unit", "")
        text += f" (value {finding['value']:.4g} {unit}, limit {finding['limit']:g} {unit})"
    return text


def apply_error(form: Any, error: Exception) -> list[dict[str, Any]]:
    """Put a service or core error on the form, naming the field; returns crossed hard limits."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errs in error.error_dict.items():
                target = field if field in form.fields else None
                for e in errs:
                    form.add_error(target, e.message % (e.params or {}) if e.params else e.message)
        else:
            for message in error.messages:
                form.add_error(None, message)
        return []
    if isinstance(error, DoseLimitError):
        findings = list(error.params.get("findings", []))
        for f in findings:
            form.add_error(None, describe_limit(f))
        if not findings:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        return findings
    if isinstance(error, TenderpointError):
        field = error.field if error.field in form.fields else None
        form.add_error(field, f"{error.message}" + ("" if field else f" ({error.field})"))
        return []
    raise error


class ConsoleView(PatientRecordView, TemplateView):
    """A chart page: care team only (nurses and clinicians of the patient's clinic)."""

    permission = "infusions.chart"
    section = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        timezone.activate(self.patient.clinic.tzinfo)
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            section=self.section,
            is_clinician=rules.has_perm("infusions.sign", user, self.patient),
            is_prescriber=services.can_override(user, self.patient),
        )
        return context

    def invalid(self, **context: Any) -> HttpResponse:
        """Re-render with errors (422), recording the view like a GET would."""
        audit.record(
            Action.VIEW,
            request=self.request,
            object_type=self.audit_object_type,
            object_id=str(self.patient.public_id),
            patient=self.patient,
            detail={"rejected_post": True},
        )
        return self.render_to_response(self.get_context_data(**context), status=422)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise Http404("This page takes no form posts.")


# --- chart and lists -------------------------------------------------------------------------


def chart_context(request: HttpRequest, patient: Any) -> dict[str, Any]:
    """What the chart (``/patients/<id>/`` for the care team) shows beside the profile."""
    from tenderpoint.web.infusions.timeline import KINDS, timeline

    timezone.activate(patient.clinic.tzinfo)
    kind = request.GET.get("show", "")
    if kind not in KINDS:
        kind = ""
    return {
        "timeline": timeline(patient, kind),
        "timeline_kinds": KINDS,
        "show": kind,
        "check_status": services.check_status(services.latest_check(patient), patient),
        "next_appointment": Appointment.objects.current()
        .filter(patient=patient, starts_at__gte=timezone.now())
        .first(),
        "problems": Problem.objects.current().filter(patient=patient, status="active"),
        "medications": Medication.objects.current().filter(
            patient=patient, stopped_on__isnull=True
        ),
        "allergies": Allergy.objects.current().filter(patient=patient),
        "section": "chart",
        "is_clinician": rules.has_perm("infusions.sign", request.user, patient),
    }


class ProblemsView(ConsoleView):
    template_name = "infusions/problems.html"
    section = "problems"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from tenderpoint.web.patients.forms_history import ProblemForm

        context = super().get_context_data(**kwargs)
        context.setdefault("form", ProblemForm())
        context["problems"] = Problem.objects.current().filter(patient=self.patient)
        context["coded"] = PROBLEMS
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from tenderpoint.web.patients.forms_history import ProblemForm

        form = ProblemForm(request.POST, instance=Problem(patient=self.patient))
        if form.is_valid():
            try:
                do_save_entry(form.instance, user=request.user, request=request)
            except ValidationError as error:
                apply_error(form, error)
            else:
                return redirect(request.path)
        return self.invalid(form=form)


class MedicationsView(ConsoleView):
    template_name = "infusions/medications.html"
    section = "medications"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from tenderpoint.web.patients.forms_history import AllergyForm, MedicationForm
        from tenderpoint.web.patients.history import drug_class

        context = super().get_context_data(**kwargs)
        context.setdefault("form", MedicationForm())
        context.setdefault("allergy_form", AllergyForm())
        meds = list(Medication.objects.current().filter(patient=self.patient))
        for med in meds:
            cls = med.drug_class or drug_class(med.name)
            med.interaction = INTERACTION_CLASSES.get(cls, ("", ""))[0]
        context["medications"] = meds
        context["allergies"] = Allergy.objects.current().filter(patient=self.patient)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from tenderpoint.web.patients.forms_history import AllergyForm, MedicationForm

        if request.POST.get("form") == "stop":
            med = posted_record(
                Medication.objects.filter(patient=self.patient), public_id=request.POST.get("id")
            )
            med.stopped_on = timezone.localdate()
            do_save_entry(med, user=request.user, request=request)
            return redirect(request.path)
        if request.POST.get("form") == "allergy":
            allergy_form = AllergyForm(request.POST, instance=Allergy(patient=self.patient))
            if allergy_form.is_valid():
                do_save_entry(allergy_form.instance, user=request.user, request=request)
                return redirect(request.path)
            return self.invalid(allergy_form=allergy_form)
        form = MedicationForm(request.POST, instance=Medication(patient=self.patient))
        if form.is_valid():
            do_save_entry(form.instance, user=request.user, request=request)
            return redirect(request.path)
        return self.invalid(form=form)


class ContraindicationView(ConsoleView):
    template_name = "infusions/contraindications.html"
    section = "contraindications"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        prefill = checklist_prefill(self.patient)
        if "form" not in context:
            initial = {k: ("yes" if v is True else v) for k, v in prefill["answers"].items()}
            context["form"] = forms.ContraindicationForm(initial=initial)
        context["prefill_basis"] = prefill["basis"]
        latest = services.latest_check(self.patient)
        context["latest"] = latest
        context["latest_status"] = services.check_status(latest, self.patient)
        context["validity_days"] = services.clinic_settings(
            self.patient.clinic
        ).contraindication_validity_days
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.ContraindicationForm(request.POST)
        if not form.is_valid():
            return self.invalid(form=form)
        answers = form.answers()
        try:
            triage = services.triage(answers)
        except TenderpointError as error:
            apply_error(form, error)
            return self.invalid(form=form)
        acknowledged = request.POST.getlist("acknowledge")
        overrides = {
            f.code: request.POST.get(f"override_{f.code}", "")
            for f in triage.findings
            if f.severity == "hard_stop"
        }
        if request.POST.get("confirm") != "yes":
            return self.render_to_response(
                self.get_context_data(form=form, triage=triage, acknowledged=acknowledged)
            )
        try:
            services.do_record_contraindication_check(
                self.patient,
                user=request.user,
                answers=answers,
                acknowledged=acknowledged,
                overrides=overrides,
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                form.add_error(None, str(error))
            else:
                apply_error(form, error)
            return self.invalid(form=form, triage=triage, acknowledged=acknowledged)
        messages.success(request, "Contraindication check recorded.")
        return redirect(self.patient)


class CoursesView(ConsoleView):
    template_name = "infusions/courses.html"
    section = "courses"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form", forms.CourseForm(initial={"kind": "induction", "planned_infusions": 5})
        )
        context["courses"] = Course.objects.for_patient(self.patient).prefetch_related("sessions")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = Course(patient=self.patient)
        if request.POST.get("id"):
            instance = posted_record(
                Course.objects.filter(patient=self.patient), public_id=request.POST["id"]
            )
        form = forms.CourseForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                services.do_save_course(form.instance, user=request.user, request=request)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                apply_error(form, error)
            else:
                return redirect(request.path)
        return self.invalid(form=form)


class AppointmentsView(ConsoleView):
    template_name = "infusions/appointments.html"
    section = "appointments"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.AppointmentForm(patient=self.patient))
        context["appointments"] = (
            Appointment.objects.current()
            .filter(patient=self.patient)
            .select_related("course")
            .order_by("-starts_at")
        )
        context["statuses"] = forms.AppointmentStatus.choices
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        timezone.activate(self.patient.clinic.tzinfo)
        if request.POST.get("id"):
            appointment = posted_record(
                Appointment.objects.filter(patient=self.patient), public_id=request.POST["id"]
            )
            status_form = forms.AppointmentStatusForm(request.POST)
            if status_form.is_valid():
                appointment.status = status_form.cleaned_data["status"]
                services.do_save_appointment(appointment, user=request.user, request=request)
            return redirect(request.path)
        form = forms.AppointmentForm(
            request.POST, instance=Appointment(patient=self.patient), patient=self.patient
        )
        if form.is_valid():
            try:
                services.do_save_appointment(form.instance, user=request.user, request=request)
            except ValidationError as error:
                apply_error(form, error)
            else:
                return redirect(request.path)
        return self.invalid(form=form)


# --- plans -----------------------------------------------------------------------------------


class PlanCreateView(ConsoleView):
    """GET: the plan form with a preview; POST: compute (preview) or create the plan."""

    template_name = "infusions/plan_form.html"
    section = "plans"

    def initial(self) -> dict[str, Any]:
        patient = self.patient
        return {
            "product": "racemic",
            "protocol_id": "asra-chronic-pain-0.5-per-h-4h",
            "vial_mg_per_ml": 50.0,
            "bag_volume_ml": 250,
            "container": "bag",
            "weight_kg": patient.weight_kg,
            "height_cm": patient.height_cm,
            "model_sex": patient.sex if patient.sex in ("female", "male") else None,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.PlanForm(initial=self.initial(), patient=self.patient))
        context["check_status"] = services.check_status(
            services.latest_check(self.patient), self.patient
        )
        from tenderpoint.pharmacology import dosing

        context["protocols"] = list(dosing.PROTOCOLS.values())
        context["age_years"] = self.patient.age_years()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # First pass finds the warnings and hard limits, so their fields can be added.
        probe = forms.PlanForm(request.POST, patient=self.patient)
        if not probe.is_valid():
            return self.invalid(form=probe)
        inputs = probe.core_inputs()
        inputs["prior_24h_mg"] = services.prior_24h_mg(self.patient, timezone.now())
        warnings: list[dict[str, Any]] = []
        hard: list[dict[str, Any]] = []
        preview = None
        try:
            hard = services._hard_findings(self.patient, inputs)
            overrides = {f["code"]: "x" for f in hard}
            preview = services.compute_plan(self.patient, inputs, overrides=overrides)
            warnings = [{"code": w.code, "message": w.message} for w in preview.warnings]
        except TenderpointError as error:
            apply_error(probe, error)
            return self.invalid(form=probe)
        form = forms.PlanForm(request.POST, patient=self.patient, warnings=warnings, hard=hard)
        form.is_valid()
        context = {
            "form": form,
            "preview": services.plan_as_json(preview),
            "hard": hard,
            "warnings": warnings,
        }
        if request.POST.get("confirm") != "yes":
            return self.render_to_response(self.get_context_data(**context))
        try:
            plan = services.do_create_plan(
                self.patient,
                user=request.user,
                inputs=inputs,
                acknowledged=form.acknowledged(),
                overrides=form.overrides(),
                request=request,
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.invalid(**context)
        except (ValidationError, TenderpointError) as error:
            apply_error(form, error)
            return self.invalid(**context)
        messages.success(
            request, "Plan saved as a draft: it now needs the independent double check."
        )
        return redirect(plan_url(plan))


def plan_url(plan: InfusionPlan) -> str:
    return reverse(
        "console:plan", kwargs={"patient_id": plan.patient.public_id, "plan_id": plan.public_id}
    )


def session_url(session: InfusionSession) -> str:
    return reverse(
        "console:session",
        kwargs={"patient_id": session.patient.public_id, "session_id": session.public_id},
    )


class PlanDetailView(ConsoleView):
    template_name = "infusions/plan_detail.html"
    section = "plans"

    def get_plan(self) -> InfusionPlan:
        try:
            return InfusionPlan.objects.select_related("prescribed_by", "verified_by").get(
                patient=self.patient, public_id=self.kwargs["plan_id"]
            )
        except InfusionPlan.DoesNotExist:
            raise Http404("No such plan for this patient.") from None

    def is_blind_checker(self, plan: InfusionPlan) -> bool:
        """The second checker of a draft must not see its numbers before entering their own."""
        return plan.status == "draft" and plan.prescribed_by_id != self.request.user.pk

    def get_template_names(self) -> list[str]:
        # the pump sheet carries every number of the plan: never to the pending blind checker
        if self.request.GET.get("print") and not self.is_blind_checker(self.get_plan()):
            return ["infusions/pump_sheet.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan = self.get_plan()
        context["plan"] = plan
        context["overrides"] = LimitOverride.objects.filter(plan=plan)
        context["checks"] = plan.checks.select_related("checked_by")
        context.setdefault("check_form", forms.DoubleCheckForm())
        context["can_check"] = self.is_blind_checker(plan)
        context["sessions"] = plan.sessions.all()
        context["limits_table"] = predictions.limits_table(plan)
        if not self.request.GET.get("print") and not context["can_check"]:
            model_id = self.request.GET.get("model") or plan.result["peak_model_id"]
            if model_id not in pk_models.MODELS:
                model_id = plan.result["peak_model_id"]
            context["model_id"] = model_id
            context["models"] = pk_models.all()
            context["bands"] = predictions.bands(plan, model_id)
            target = self.request.GET.get("tci_target")
            if target:
                context["tci"] = predictions.tci_schedule(plan, model_id, target)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        action = request.POST.get("action")
        if action == "start_session":
            try:
                session = services.do_start_session(plan, user=request.user, request=request)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(plan_url(plan))
            return redirect(session_url(session))
        form = forms.DoubleCheckForm(request.POST)
        if not form.is_valid():
            return self.invalid(check_form=form)
        try:
            check = services.do_double_check(
                plan, user=request.user, entered=form.cleaned_data, request=request
            )
        except (PermissionDenied, services.RecordLockedError) as error:
            form.add_error(None, str(error))
            return self.invalid(check_form=form)
        if not check.passed:
            for mismatch in check.mismatches:
                form.add_error(
                    mismatch["field"],
                    "Does not match the plan at the device's resolution: use is blocked. "
                    "Re-check the calculation with the prescriber.",
                )
            return self.invalid(check_form=form)
        messages.success(request, "Double check passed: the plan is verified.")
        return redirect(plan_url(plan))


# --- sessions --------------------------------------------------------------------------------


class SessionListView(ConsoleView):
    template_name = "infusions/session_list.html"
    section = "sessions"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sessions"] = (
            InfusionSession.objects.current()
            .filter(patient=self.patient)
            .select_related("plan", "signed_by")
        )
        context["plans"] = InfusionPlan.objects.current().filter(patient=self.patient)
        return context


SESSION_FORMS = {
    "pre_checks": forms.PreChecksForm,
    "pump": forms.PumpEventForm,
    "vitals": forms.VitalsForm,
    "score": forms.ScoreForm,
    "adverse": forms.AdverseEventForm,
    "discharge": forms.DischargeForm,
    "disposition": forms.DispositionForm,
    "controlled": forms.ControlledSubstanceForm,
    "amend": forms.AmendForm,
}


class SessionView(ConsoleView):
    template_name = "infusions/session.html"
    section = "sessions"

    def get_session(self) -> InfusionSession:
        try:
            return InfusionSession.objects.select_related("plan", "signed_by").get(
                patient=self.patient, public_id=self.kwargs["session_id"]
            )
        except InfusionSession.DoesNotExist:
            raise Http404("No such session for this patient.") from None

    def staff(self) -> Any:
        from tenderpoint.web.accounts.models import User

        return User.objects.filter(
            memberships__clinic=self.patient.clinic,
            memberships__is_active=True,
            memberships__role__in=["nurse", "clinician"],
        )

    def make_form(self, name: str, data: Any = None, **extra: Any) -> Any:
        cls = SESSION_FORMS[name]
        now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        kwargs: dict[str, Any] = {"initial": {"at": now}}
        if name == "controlled":
            kwargs["staff"] = self.staff()
        kwargs.update(extra)
        return cls(data, prefix=name, **kwargs) if data is not None else cls(prefix=name, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        session = self.get_session()
        context["session"] = session
        context["plan"] = session.plan
        for name in SESSION_FORMS:
            context.setdefault(f"{name}_form", self.make_form(name))
        rows = PumpEvent.with_errors.filter(session=session).select_related("recorded_by")
        context["pump_events"] = list(rows)
        events = [e for e in context["pump_events"] if not e.is_entered_in_error]
        context["latest_pump_event"] = events[-1] if events else None
        context["vitals"] = VitalSigns.with_errors.filter(session=session).select_related(
            "recorded_by"
        )
        labels = dict(forms.ScoreForm.base_fields["instrument"].choices)
        # each score with the name the nurse picked it by, not the core's id (cadss6)
        context["scores"] = [
            (s, labels.get(s.instrument_id, s.instrument_id)) for s in session.scores.all()
        ]
        context["adverse_events"] = AdverseEvent.with_errors.filter(session=session)
        context.setdefault("correction", self.correction_from_query(session))
        context["amendments"] = [
            (amendment, amendment_lines(amendment.changes, session))
            for amendment in session.amendments.select_related("amended_by")
        ]
        context["overrides"] = LimitOverride.objects.filter(session=session)
        context["delivered"] = services.delivered_now(session) if events else None
        context["discharge_gates"] = services.discharge_gates(session, timezone.now())
        context["capnography_required"] = services.capnography_required(session)
        context["reconciliation"] = services.reconciliation(session)
        context["controlled_problems"] = services.controlled_record_problems(session)
        context["sessions_14_days"] = services.sessions_in_14_days(
            self.patient, session.started_at or timezone.now()
        )
        return context

    def correction_from_query(self, session: InfusionSession) -> dict[str, Any] | None:
        """``?edit=adverse:<id>`` or ``?amend=vitals:<id>``: the correction form for one row."""
        for mode in ("edit", "amend"):
            wanted = self.request.GET.get(mode, "")
            kind, _, row_id = wanted.partition(":")
            if (mode, kind) in forms.ROW_EDIT_FORMS:
                row = corrections.find_row(session, kind, row_id)
                fields = corrections.AE_FIELDS if kind == "adverse" else corrections.VITALS_FIELDS
                initial = {f: getattr(row, f) for f in fields} | {
                    "row_kind": kind,
                    "row_id": row_id,
                }
                initial["at"] = timezone.localtime(row.at).strftime("%Y-%m-%dT%H:%M")
                form = forms.ROW_EDIT_FORMS[(mode, kind)](prefix="row", initial=initial)
                action = "amend_row" if mode == "amend" else "edit_row"
                return {"mode": mode, "kind": kind, "form": form, "action": action}
        return None

    def post_row(self, action: str, session: InfusionSession) -> HttpResponse:
        """Edit, amend or mark entered in error one charted row (adverse event, vitals, pump)."""
        request = self.request
        kind = request.POST.get("row-row_kind", "")
        mode = "amend" if action.startswith("amend") else "edit"
        if action in ("in_error", "amend_in_error"):
            form: Any = forms.InErrorForm(request.POST, prefix="row")
        elif (mode, kind) in forms.ROW_EDIT_FORMS:
            form = forms.ROW_EDIT_FORMS[(mode, kind)](request.POST, prefix="row")
        else:
            raise Http404("Unknown kind of charted row.")
        correction = {"mode": mode, "kind": kind, "form": form, "action": action}
        if form.is_valid():
            data = dict(form.cleaned_data)
            row = corrections.find_row(session, data.pop("row_kind"), data.pop("row_id"))
            reason = data.pop("reason", "")
            try:
                if action == "in_error":
                    corrections.do_mark_row_in_error(
                        row, user=request.user, reason=reason, request=request
                    )
                elif action == "amend_in_error":
                    corrections.do_amend_row(
                        row,
                        user=request.user,
                        reason=reason,
                        entered_in_error=True,
                        request=request,
                    )
                elif action == "amend_row":
                    corrections.do_amend_row(
                        row, user=request.user, reason=reason, changes=data, request=request
                    )
                else:
                    corrections.do_edit_row(row, user=request.user, changes=data, request=request)
            except services.RecordLockedError as error:
                form.add_error(None, str(error))
                response = self.invalid(correction=correction)
                response.status_code = 409
                return response
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                apply_error(form, error)
            else:
                return redirect(session_url(session) + f"#{kind}")
        return self.invalid(correction=correction)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        timezone.activate(self.patient.clinic.tzinfo)
        session = self.get_session()
        action = request.POST.get("action", "")
        if action in ("edit_row", "amend_row", "in_error", "amend_in_error"):
            return self.post_row(action, session)
        if action == "sign":
            try:
                services.do_sign_session(session, user=request.user, request=request)
            except (PermissionDenied, services.RecordLockedError) as error:
                messages.error(request, str(error))
                return self.invalid()
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return self.invalid()
            messages.success(request, "Session signed; it is now read-only.")
            return redirect(session_url(session))
        if action not in SESSION_FORMS:
            raise Http404("Unknown action.")
        form = self.make_form(action, request.POST)
        hard: list[dict[str, Any]] = []
        if form.is_valid():
            try:
                self.perform(action, session, form)
            except services.RecordLockedError as error:
                form.add_error(None, str(error))
                response = self.invalid(**{f"{action}_form": form})
                response.status_code = 409
                return response
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except (ValidationError, TenderpointError) as error:
                hard = apply_error(form, error)
            else:
                return redirect(session_url(session) + f"#{action}")
        if hard and action == "pump":
            form = self.make_form(action, request.POST, hard=hard)
            form.is_valid()
            for f in hard:
                form.add_error(None, describe_limit(f))
        return self.invalid(**{f"{action}_form": form})

    def perform(self, action: str, session: InfusionSession, form: Any) -> None:
        user, request, data = self.request.user, self.request, form.cleaned_data
        if action == "pre_checks":
            services.do_record_pre_checks(session, user=user, checks=data, request=request)
        elif action == "pump":
            services.do_pump_event(
                session,
                user=user,
                kind=data["kind"],
                at=data["at"],
                rate_ml_per_h=data.get("rate_ml_per_h") or 0.0,
                reason=data["reason"],
                overrides=form.overrides(),
                request=request,
            )
        elif action == "vitals":
            services.do_record_vitals(
                session,
                user=user,
                at=data["at"],
                values=form.values(),
                action_taken=data["action_taken"],
                request=request,
            )
        elif action == "score":
            services.do_record_score(
                session,
                user=user,
                instrument_id=data["instrument"],
                phase=data["phase"],
                answers=form.answers(),
                at=data["at"],
                request=request,
            )
        elif action == "adverse":
            services.do_record_adverse_event(session, user=user, fields=data, request=request)
        elif action == "discharge":
            services.do_discharge(
                session, user=user, at=data["at"], escort=data["escort"], request=request
            )
        elif action == "disposition":
            services.do_record_disposition(
                session,
                user=user,
                kind=data["kind"],
                at=data["at"],
                reason=data["reason"],
                request=request,
            )
        elif action == "controlled":
            services.do_record_controlled_substance(
                session, user=user, fields=data, request=request
            )
        elif action == "amend":
            changes = {k: v for k, v in data.items() if k != "reason" and v not in ("", None)}
            services.do_amend_session(
                session, user=user, reason=data["reason"], changes=changes, request=request
            )


# --- console home ----------------------------------------------------------------------------


def console_home_context(user: Any) -> dict[str, Any]:
    """Today's appointments, plans awaiting the double check, sessions to sign (user's clinic)."""
    clinic = user.clinic
    tz = clinic.tzinfo
    today = timezone.localtime(timezone.now(), tz).date()
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    return {
        "today": today,
        "appointments": Appointment.objects.current()
        .filter(patient__clinic=clinic, starts_at__gte=start, starts_at__lt=end)
        .select_related("patient")
        .order_by("starts_at"),
        "plans_to_check": InfusionPlan.objects.current()
        .filter(patient__clinic=clinic, status="draft")
        .select_related("patient", "prescribed_by"),
        "sessions_to_sign": InfusionSession.objects.current()
        .filter(patient__clinic=clinic, status="draft")
        .select_related("patient", "plan"),
    }
