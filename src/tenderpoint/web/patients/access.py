"""The base of every view that shows or changes one patient's data.

It resolves the patient from the URL, applies the access rule, and writes the audit event –
including for refusals. A subclass that forgets to name its permission fails at import time,
so a new patient-data view cannot be added without an access decision.
"""

from __future__ import annotations

from typing import Any, ClassVar

import rules
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views import View

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.patients.models import Patient


class PatientRecordView(LoginRequiredMixin, View):
    """Resolve ``patient_id`` from the URL, authorise, audit; then run the view."""

    #: the ``rules`` permission the user must hold on the patient, e.g. "patients.view_patient"
    permission: ClassVar[str]
    #: what a GET is recorded as in the audit trail
    audit_object_type: ClassVar[str] = "patients.patient"

    patient: Patient

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not getattr(cls, "permission", None):
            raise TypeError(f"{cls.__name__} must name the permission it requires.")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            patient = Patient.objects.select_related("clinic").get(public_id=kwargs["patient_id"])
        except (Patient.DoesNotExist, ValueError):
            # Probing for record ids leaves a trace too.
            audit.record(
                Action.DENIED,
                request=request,
                object_type=self.audit_object_type,
                object_id=str(kwargs["patient_id"])[:64],
                detail={"reason": "no such patient"},
            )
            raise Http404("No such patient.") from None
        # rules.has_perm, not user.has_perm: Django grants superusers everything, the access
        # rule grants operators no patient data.
        if not rules.has_perm(self.permission, request.user, patient):
            audit.record(
                Action.DENIED,
                request=request,
                object_type=self.audit_object_type,
                object_id=str(patient.public_id),
                patient=patient,
                detail={"permission": self.permission},
            )
            raise PermissionDenied("You do not have access to this patient's record.")
        self.patient = patient
        if request.method in ("GET", "HEAD"):
            audit.record(
                Action.VIEW,
                request=request,
                object_type=self.audit_object_type,
                object_id=str(patient.public_id),
                patient=patient,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["patient"] = self.patient
        return context
