"""Clinic-level console pages: the staff home, the controlled-substance log, and the clinic
administrator's console settings and prescriber list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tenderpoint.web.accounts import views as account_views
from tenderpoint.web.accounts.models import Membership
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.infusions import forms, services
from tenderpoint.web.infusions.models import InfusionSession, PrescriberAuthorisation
from tenderpoint.web.infusions.views import console_home_context


def _care_team(request: HttpRequest, object_type: str) -> None:
    if not getattr(request.user, "is_care_team", False):
        audit.record(Action.DENIED, request=request, object_type=object_type)
        raise PermissionDenied("Only nurses and clinicians see this page.")


def _clinic_admin(request: HttpRequest, object_type: str) -> None:
    if request.user.role != "clinic_admin":
        audit.record(Action.DENIED, request=request, object_type=object_type)
        raise PermissionDenied("Only the clinic administrator manages this.")


def home(request: HttpRequest) -> HttpResponse:
    """The care team's console home; everyone else goes where accounts sends them."""
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


@login_required
def controlled_substance_log(request: HttpRequest) -> HttpResponse:
    """Every session's drawn, given (charted) and wasted amounts, and what does not balance."""
    _care_team(request, "infusions.controlled_substance_log")
    timezone.activate(request.user.clinic.tzinfo)
    sessions = (
        InfusionSession.objects.current()
        .filter(patient__clinic=request.user.clinic, started_at__isnull=False)
        .select_related("patient", "waste_witness", "plan")
        .order_by("-started_at")
    )
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    rows = [(s, services.reconciliation(s)) for s in page.object_list]
    totals = {"unreconciled": sum(1 for _, r in rows if r is None or r != 0)}
    audit.record(
        Action.VIEW,
        request=request,
        object_type="infusions.controlled_substance_log",
        detail={"page": page.number, "shown": len(rows)},
    )
    return render(
        request, "infusions/controlled_log.html", {"page": page, "rows": rows, "totals": totals}
    )


@login_required
def console_settings(request: HttpRequest) -> HttpResponse:
    _clinic_admin(request, "infusions.clinicinfusionsettings")
    current = services.clinic_settings(request.user.clinic)
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
    elif request.method == "GET":
        audit.record(Action.VIEW, request=request, obj=current)
    status = 422 if request.method == "POST" else 200
    return render(request, "infusions/console_settings.html", {"form": form}, status=status)


@login_required
def prescribers(request: HttpRequest) -> HttpResponse:
    """The clinic administrator marks which clinicians may override hard limits."""
    _clinic_admin(request, "infusions.prescriberauthorisation")
    clinic = request.user.clinic
    clinicians = Membership.objects.filter(
        clinic=clinic, role="clinician", is_active=True
    ).select_related("user")
    if request.method == "POST":
        membership = clinicians.get(pk=request.POST["membership"])
        services.do_set_prescriber(
            membership,
            is_prescriber=request.POST.get("is_prescriber") == "yes",
            user=request.user,
            request=request,
        )
        messages.success(request, f"Saved for {membership.user}.")
        return redirect(request.path)
    marked = set(
        PrescriberAuthorisation.objects.filter(
            membership__in=clinicians, is_prescriber=True
        ).values_list("membership_id", flat=True)
    )
    audit.record(Action.VIEW, request=request, object_type="infusions.prescriberauthorisation")
    rows: list[dict[str, Any]] = [{"m": m, "is_prescriber": m.pk in marked} for m in clinicians]
    return render(request, "infusions/prescribers.html", {"rows": rows})
