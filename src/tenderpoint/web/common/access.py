"""The one way a view declares who may use it: ``AccessPolicyView`` and its four shapes.

Every staff and patient view subclasses one of these; the persona matrix
(``tests/web/test_persona_matrix.py``) enumerates the URLconf and fails for a view of ours
that neither does so nor is marked ``@public_view``. Each request runs the same steps:

1. not signed in: redirect to the sign-in page (nothing else happens);
2. resolve the object the permission is about (a patient, the user's own record, the user's
   clinic, one record by its public UUID). A missing object is a 404 *and* a ``denied`` audit
   event, so probing for ids leaves a trace;
3. check the named ``rules`` permission with ``rules.has_perm`` (never ``user.has_perm``:
   Django answers "yes" to every superuser; the access rule gives operators no patient data).
   Refused: a ``denied`` audit event (filed for the user's clinic *and* the record's clinic),
   then 403;
4. run the view; a GET or HEAD then writes a ``view`` audit event. A view may add details to
   ``self.audit_detail`` (search query, page number) while it runs.

A subclass that does not name its ``permission`` raises ``TypeError`` at import time.

Which shape to use::

    from tenderpoint.web.common.access import ClinicView, OwnRecordView, RecordView
    from tenderpoint.web.patients.access import PatientRecordView

    # /patients/<uuid:patient_id>/diary/ : one patient's data, for their care team and them
    class DiaryView(PatientRecordView, TemplateView):
        permission = "patients.view_patient"
        template_name = "diary/diary.html"      # self.patient is set, context["patient"] too

    # /me/diary/ : the signed-in patient's own record (403 + audit when they have none)
    class MyDiaryView(OwnRecordView, TemplateView):
        permission = "patients.view_patient"    # the default; name a stricter one if needed
        template_name = "portal/diary.html"     # self.patient is the user's own record

    # /manage/inbox/ : a page about the user's clinic, not about one patient
    class ClinicInboxView(ClinicView, TemplateView):
        permission = "patients.list_patients"   # checked with the clinic as the object
        audit_object_type = "messaging.inbox"  # what the view event records
        template_name = "messaging/inbox.html"  # self.clinic is request.user's clinic

    # /manage/contact/<uuid:request_id>/ : one record that is not a patient
    class ContactRequestView(RecordView, TemplateView):
        permission = "public.view_contactrequest"
        model = ContactRequest                  # looked up by public_id = URL kwarg
        url_kwarg = "request_id"                # self.object is the record

Then add one line for the URL name to ``MATRIX`` in ``tests/web/test_persona_matrix.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import rules
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views import View

from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action

#: The attribute ``public_view`` sets on a view that needs no access decision.
PUBLIC_VIEW_ATTRIBUTE = "tenderpoint_public_view"


def public_view(reason: str):  # type: ignore[no-untyped-def]
    """Mark a function view of ours as deliberately open (health check, robots.txt, the
    role redirect): the persona matrix then does not ask for an access policy. Give the
    reason; it is shown when the matrix lists the public views."""
    if not reason:
        raise ValueError("public_view needs the reason the view may be open.")

    def mark(view):  # type: ignore[no-untyped-def]
        setattr(view, PUBLIC_VIEW_ATTRIBUTE, reason)
        return view

    return mark


class AccessPolicyView(LoginRequiredMixin, View):
    """Resolve the object, check ``permission`` on it, audit, then run the view."""

    #: the ``rules`` permission the user must hold on the object, e.g. "patients.view_patient"
    permission: ClassVar[str]
    #: what the audit events record as the object type
    audit_object_type: ClassVar[str] = ""
    #: a GET or HEAD writes a ``view`` event; switch off only for pages that show nothing
    #: about anyone (there are none yet)
    audit_reads: ClassVar[bool] = True

    #: details the view adds while it runs; they go into the ``view`` event
    audit_detail: dict[str, Any]

    #: True on the shapes below (abstract: they need no permission of their own)
    abstract_policy: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract_policy"):
            return  # one of the shapes below, not a view
        if not getattr(cls, "permission", None):
            raise TypeError(f"{cls.__name__} must name the permission it requires.")

    # --- what subclasses provide -------------------------------------------------------

    def resolve_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        """The object the permission is checked on (``None`` for a user-level permission).
        Raise ``Http404`` when it does not exist; the refusal is audited."""
        return None

    def audit_target(self, obj: Any) -> dict[str, Any]:
        """Keyword arguments for ``audit.record`` that name the object."""
        return {}

    def denied_target(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        """What a refusal of a missing object records (its id as asked for)."""
        return {}

    # --- the steps ---------------------------------------------------------------------

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        object_type = self.audit_object_type
        try:
            obj = self.resolve_object(request, **kwargs)
        except Http404:
            audit.record(
                Action.DENIED,
                request=request,
                detail={"reason": "not found", "permission": self.permission},
                **({"object_type": object_type} | self.denied_target(request, **kwargs)),
            )
            raise
        target = self.audit_target(obj)
        if not rules.has_perm(self.permission, request.user, obj):
            audit.record(
                Action.DENIED,
                request=request,
                object_type=object_type,
                detail={"permission": self.permission},
                **target,
            )
            raise PermissionDenied(self.refusal_message())
        self.audit_detail = {}
        response = super().dispatch(request, *args, **kwargs)
        handled = request.method.lower() in self.http_method_names
        if self.audit_reads and handled and request.method in ("GET", "HEAD"):
            audit.record(
                Action.VIEW,
                request=request,
                object_type=object_type,
                detail=self.audit_detail,
                **target,
            )
        return response

    def refusal_message(self) -> str:
        return "You do not have access to this page."


class _PatientPolicy(AccessPolicyView):
    """What the two patient shapes share: the audit target and ``context["patient"]``."""

    abstract_policy = True
    audit_object_type = "patients.patient"

    patient: Any

    def audit_target(self, obj: Any) -> dict[str, Any]:
        if obj is None:
            return {}
        return {"object_id": str(obj.public_id), "patient": obj}

    def refusal_message(self) -> str:
        return "You do not have access to this patient's record."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["patient"] = self.patient
        return context


class PatientRecordView(_PatientPolicy):
    """One patient's data, the patient named by the URL's ``patient_id``; sets
    ``self.patient``. Also importable from ``tenderpoint.web.patients.access``."""

    abstract_policy = True
    url_kwarg: ClassVar[str] = "patient_id"

    def resolve_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        from tenderpoint.web.patients.models import Patient

        try:
            self.patient = Patient.objects.select_related("clinic").get(
                public_id=kwargs[self.url_kwarg]
            )
        except (Patient.DoesNotExist, ValueError):
            raise Http404("No such patient.") from None
        return self.patient

    def denied_target(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"object_id": str(kwargs.get(self.url_kwarg, ""))[:64]}


class OwnRecordView(_PatientPolicy):
    """The signed-in patient's own record (pages under ``/me/``); sets ``self.patient``.

    A user without a patient record (staff, an operator, a patient account not yet linked)
    is refused with 403 and a ``denied`` event. The permission is still checked on the
    record, so a deactivated account or a changed role is refused too."""

    abstract_policy = True
    permission = "patients.view_patient"

    def resolve_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        from tenderpoint.web.patients.models import Patient

        self.patient = (
            Patient.objects.select_related("clinic").filter(user_id=request.user.pk).first()
        )
        # The navigation asks for ``user.patient_record``: this row answers it, not a second query.
        Patient._meta.get_field("user").remote_field.set_cached_value(request.user, self.patient)
        return self.patient

    def refusal_message(self) -> str:
        return "These pages are for patients with a record at the clinic."


class ClinicView(AccessPolicyView):
    """A page about the signed-in user's clinic (a list, an inbox, a dashboard, settings);
    sets ``self.clinic``. The permission is checked with the clinic as its object; users
    without a clinic (operators) get ``None`` and are refused by any clinic permission."""

    abstract_policy = True
    audit_object_type = "accounts.clinic"

    clinic: Any

    def resolve_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        self.clinic = getattr(request.user, "clinic", None)
        return self.clinic

    def audit_target(self, obj: Any) -> dict[str, Any]:
        return {"object_id": str(obj.pk)} if obj is not None else {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["clinic"] = self.clinic
        return context


class RecordView(AccessPolicyView):
    """One record that is not a patient, looked up by its public UUID (never an integer
    id) before the permission check; sets ``self.object``. The record's ``clinic_id`` (and
    ``patient``, if it has one) go into the audit event, so a refused attempt from another
    clinic shows in the record's clinic's trail too."""

    abstract_policy = True
    model: ClassVar[type[models.Model]]
    url_kwarg: ClassVar[str] = "public_id"
    lookup_field: ClassVar[str] = "public_id"

    object: Any

    def resolve_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        try:
            self.object = self.model._default_manager.get(
                **{self.lookup_field: kwargs[self.url_kwarg]}
            )
        except (self.model.DoesNotExist, ValueError):
            raise Http404("No such record.") from None
        return self.object

    def denied_target(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {
            "object_type": self.audit_object_type or self.model._meta.label_lower,
            "object_id": str(kwargs.get(self.url_kwarg, ""))[:64],
        }

    def audit_target(self, obj: Any) -> dict[str, Any]:
        target: dict[str, Any] = {"obj": obj}
        patient = getattr(obj, "patient", None)
        if patient is not None:
            target["patient"] = patient
        return target


def posted_record(queryset: Any, **lookup: Any) -> Any:
    """The one record of ``queryset`` a form post names, or 404: a missing, malformed or foreign
    id in a POST is the sender's mistake (or a probe), never a server error."""
    from django.core.exceptions import ValidationError

    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such record.") from None
