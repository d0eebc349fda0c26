"""Home pages per role and the clinic administrator's pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenderpoint.web.accounts import services
from tenderpoint.web.accounts.choices import STAFF_ROLES, Role
from tenderpoint.web.accounts.forms import AddStaffForm, ChangeRoleForm, ClinicSettingsForm
from tenderpoint.web.accounts.models import Membership
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own starting page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("/")
    role = user.role
    if role == Role.PATIENT:
        record = getattr(user, "patient_record", None)
        if record is not None:
            return redirect("portal:home")
        return render(request, "accounts/no_record.html")
    if role in (Role.CLINICIAN, Role.NURSE):
        return redirect("patients:list")
    if role == Role.CLINIC_ADMIN:
        return redirect("accounts:clinic_settings")
    if user.is_superuser:
        return redirect("admin:index")
    return render(request, "accounts/no_record.html")


def require_clinic_admin(request: HttpRequest) -> None:
    """Refuse (and audit the refusal) unless the user administers their clinic."""
    try:
        services.check_can_manage_clinic(request.user)
    except PermissionDenied:
        audit.record(Action.DENIED, request=request, object_type="accounts.clinic")
        raise


@login_required
def clinic_settings(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request)
    clinic = request.user.clinic
    form = ClinicSettingsForm(request.POST or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        services.do_update_clinic(
            form.save(commit=False), user=request.user, request=request, changed=form.changed_data
        )
        return redirect("accounts:clinic_settings")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/clinic_settings.html", {"form": form}, status=status)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request)
    clinic = request.user.clinic
    memberships = (
        Membership.objects.filter(clinic=clinic, role__in=STAFF_ROLES)
        .select_related("user")
        .order_by("-is_active", "role", "user__full_name")
    )
    form = AddStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_add_staff_member(
            clinic=clinic, user=request.user, request=request, **form.cleaned_data
        )
        return redirect("accounts:staff")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "accounts/staff_list.html",
        {"memberships": memberships, "form": form, "role_form": ChangeRoleForm()},
        status=status,
    )


@login_required
@require_POST
def staff_change_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    require_clinic_admin(request)
    membership = get_object_or_404(Membership, pk=membership_id, clinic=request.user.clinic)
    form = ChangeRoleForm(request.POST)
    if form.is_valid():
        services.do_change_role(
            membership, role=form.cleaned_data["role"], user=request.user, request=request
        )
    return redirect("accounts:staff")


@login_required
@require_POST
def staff_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    require_clinic_admin(request)
    membership = get_object_or_404(Membership, pk=membership_id, clinic=request.user.clinic)
    services.do_deactivate_member(membership, user=request.user, request=request)
    return redirect("accounts:staff")
