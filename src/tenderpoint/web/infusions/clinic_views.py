"""Clinic-level console pages: the staff home, the controlled-substance log, and the clinic
administrator's console settings and prescriber list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tenderpoint.web.accounts import views as account_views
from tenderpoint.web.accounts.models import Membership
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import ClinicView, posted_record, public_view
from tenderpoint.web.infusions import forms, services
from tenderpoint.web.infusions.models import InfusionSession, PrescriberAuthorisation
from tenderpoint.web.infusions.views import console_home_context


@public_view(
    "role redirect: sends each signed-in person to their own start page; "
    "the console part is checked inside"
)
def home(request: HttpRequest) -> HttpResponse:
    """The care team's console home; everyone else goes where accounts sends them.

    Not a ``ClinicView``: a refusal would be a 403 where every other person must be sent on
    to their own start page. Only nurses and clinicians reach the console part."""
    if not getattr(request.user, "is_care_team", False):
        return account_views.home(request)
    timezone.activate(request.user.clinic.tzinfo)
    context = console_home_context(request.user)
    audit.record(
        Action.VIEW,
        request=request,
        object_type="infusions.console_home",
        detail={"appointments": len(context["appointments"])},
    )
    return render(request, "infusions/home.html", context)


class ControlledSubstanceLogView(ClinicView):
    """Every session's drawn, given (charted) and wasted amounts, and what does not balance."""

    permission = "infusions.view_controlled_log"
    audit_object_type = "infusions.controlled_substance_log"
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(self.clinic.tzinfo)
        sessions = (
            InfusionSession.objects.current()
            .filter(patient__clinic=self.clinic, started_at__isnull=False)
            .select_related("patient", "waste_witness", "plan")
            .order_by("-started_at")
        )
        page = Paginator(sessions, 50).get_page(request.GET.get("page"))
        rows = [(s, services.reconciliation(s)) for s in page.object_list]
        totals = {"unreconciled": sum(1 for _, r in rows if r is None or r != 0)}
        self.audit_detail.update(page=page.number, shown=len(rows))
        return render(
            request,
            "infusions/controlled_log.html",
            {"page": page, "rows": rows, "totals": totals},
        )


class ConsoleSettingsView(ClinicView):
    """The clinic administrator's console settings (422 with the problems named)."""

    permission = "infusions.manage_clinic_settings"
    audit_object_type = "infusions.clinicinfusionsettings"
    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def _page(self, request: HttpRequest) -> HttpResponse:
        current = services.clinic_settings(self.clinic)
        form = forms.ClinicSettingsForm(request.POST or None, instance=current)
        if request.method == "POST" and form.is_valid():
            try:
                services.do_update_settings(
                    form.instance, user=request.user, changed=form.changed_data, request=request
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Console settings saved.")
                return redirect(request.path)
        status = 422 if request.method == "POST" else 200
        return render(request, "infusions/console_settings.html", {"form": form}, status=status)


class PrescribersView(ClinicView):
    """The clinic administrator marks which clinicians may override hard limits."""

    permission = "infusions.manage_prescribers"
    audit_object_type = "infusions.prescriberauthorisation"
    http_method_names = ["get", "head", "post"]

    def _clinicians(self) -> Any:
        return Membership.objects.filter(
            clinic=self.clinic, role="clinician", is_active=True
        ).select_related("user")

    def post(self, request: HttpRequest) -> HttpResponse:
        membership = posted_record(self._clinicians(), pk=request.POST.get("membership"))
        services.do_set_prescriber(
            membership,
            is_prescriber=request.POST.get("is_prescriber") == "yes",
            user=request.user,
            request=request,
        )
        messages.success(request, f"Saved for {membership.user}.")
        return redirect(request.path)

    def get(self, request: HttpRequest) -> HttpResponse:
        clinicians = self._clinicians()
        marked = set(
            PrescriberAuthorisation.objects.filter(
                membership__in=clinicians, is_prescriber=True
            ).values_list("membership_id", flat=True)
        )
        rows: list[dict[str, Any]] = [{"m": m, "is_prescriber": m.pk in marked} for m in clinicians]
        return render(request, "infusions/prescribers.html", {"rows": rows})


controlled_substance_log = ControlledSubstanceLogView.as_view()
console_settings = ConsoleSettingsView.as_view()
prescribers = PrescribersView.as_view()
