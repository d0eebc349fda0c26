"""The base of every /me/ view: the signed-in patient's own record, audited.

It resolves ``request.user.patient_record``, refuses everyone else (403 and an audited DENIED
event: staff, administrators and operators have no "own record"), checks the one access rule
(``patients.view_patient``) on that record, and audits each read. When the security work
provides the shared mixin for a patient's own record, this class becomes an alias of it.
"""

from __future__ import annotations

from typing import Any, ClassVar

import rules
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.views import View

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.patients.models import Patient


def own_record(user: Any) -> Patient | None:
    """The patient record of a signed-in patient, or None (not a patient, no record)."""
    if not getattr(user, "is_authenticated", False) or user.role != "patient":
        return None
    try:
        return Patient.objects.select_related("clinic").get(user=user)
    except Patient.DoesNotExist:
        return None


class OwnRecordView(LoginRequiredMixin, View):
    """Run the view on the signed-in patient's own record, or refuse with an audited 403."""

    #: what a read is recorded as in the audit trail, e.g. "diary.diaryentry"
    audit_object_type: ClassVar[str]
    #: which item of the portal's navigation is current
    portal_section: ClassVar[str] = "home"

    patient: Patient

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not getattr(cls, "audit_object_type", None):
            raise TypeError(f"{cls.__name__} must name its audit_object_type.")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        patient = own_record(request.user)
        if patient is None or not rules.has_perm("patients.view_patient", request.user, patient):
            audit.record(
                Action.DENIED,
                request=request,
                object_type=self.audit_object_type,
                detail={"reason": "the patient portal is for a patient's own record"},
            )
            raise PermissionDenied("These pages are a patient's own record.")
        self.patient = patient
        request.portal_section = self.portal_section  # type: ignore[attr-defined]
        if request.method in ("GET", "HEAD"):
            audit.record(
                Action.VIEW,
                request=request,
                object_type=self.audit_object_type,
                object_id=str(patient.public_id),
                patient=patient,
            )
        return super().dispatch(request, *args, **kwargs)
