"""Home pages per role and the clinic administrator's pages."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import TemplateView

from tenderpoint.web.accounts import services
from tenderpoint.web.accounts.choices import STAFF_ROLES, Role
from tenderpoint.web.accounts.forms import AddStaffForm, ChangeRoleForm, ClinicSettingsForm
from tenderpoint.web.accounts.models import Membership, MFAResetRequest
from tenderpoint.web.common.access import ClinicView, public_view


@public_view("sends each person to their own start page; shows no data")
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


class ClinicAdminView(ClinicView):
    """The clinic administrator's pages: settings, staff, audit trail."""

    abstract_policy = True
    permission = "accounts.manage_clinic"


class ClinicSettingsView(ClinicAdminView, TemplateView):
    audit_object_type = "accounts.clinic"
    template_name = "accounts/clinic_settings.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ClinicSettingsForm(instance=self.clinic)
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ClinicSettingsForm(request.POST, instance=self.clinic)
        if form.is_valid():
            services.do_update_clinic(
                form.save(commit=False),
                user=request.user,
                request=request,
                changed=form.changed_data,
            )
            return redirect("accounts:clinic_settings")
        return render(request, self.template_name, {"form": form}, status=422)


class StaffListView(ClinicAdminView, TemplateView):
    audit_object_type = "accounts.staff_list"
    template_name = "accounts/staff_list.html"

    def render_list(self, form: AddStaffForm, status: int = 200) -> HttpResponse:
        memberships = (
            Membership.objects.filter(clinic=self.clinic, role__in=STAFF_ROLES)
            .select_related("user")
            .order_by("-is_active", "role", "user__full_name")
        )
        context = {
            "memberships": memberships,
            "form": form,
            "role_form": ChangeRoleForm(),
            "with_mfa": set(
                Authenticator.objects.filter(
                    user__memberships__in=memberships, type=Authenticator.Type.TOTP
                ).values_list("user_id", flat=True)
            ),
            "resets": [
                reset
                for reset in MFAResetRequest.objects.filter(
                    clinic=self.clinic, approved_at=None
                ).select_related("member", "requested_by")
                if reset.is_pending
            ],
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_list(AddStaffForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AddStaffForm(request.POST)
        if form.is_valid():
            services.do_add_staff_member(
                clinic=self.clinic, user=request.user, request=request, **form.cleaned_data
            )
            return redirect("accounts:staff")
        return self.render_list(form, status=422)


class StaffMemberActionView(ClinicAdminView):
    """A POST about one staff membership of the administrator's clinic."""

    abstract_policy = True
    audit_object_type = "accounts.membership"
    http_method_names = ["post"]

    def membership(self, membership_id: int) -> Membership:
        return get_object_or_404(Membership, pk=membership_id, clinic=self.clinic)


class StaffChangeRoleView(StaffMemberActionView):
    def post(self, request: HttpRequest, membership_id: int) -> HttpResponse:
        membership = self.membership(membership_id)
        form = ChangeRoleForm(request.POST)
        if form.is_valid():
            services.do_change_role(
                membership, role=form.cleaned_data["role"], user=request.user, request=request
            )
        return redirect("accounts:staff")


class StaffDeactivateView(StaffMemberActionView):
    def post(self, request: HttpRequest, membership_id: int) -> HttpResponse:
        services.do_deactivate_member(
            self.membership(membership_id), user=request.user, request=request
        )
        return redirect("accounts:staff")


class StaffInviteEnrolmentView(StaffMemberActionView):
    """Approve a member's first second factor: the link goes to their own e-mail."""

    def post(self, request: HttpRequest, membership_id: int) -> HttpResponse:
        services.do_invite_first_enrolment(
            self.membership(membership_id), user=request.user, request=request
        )
        messages.success(request, "An enrolment link was e-mailed to the staff member.")
        return redirect("accounts:staff")


class StaffRequestMFAResetView(StaffMemberActionView):
    """Ask for a lost second factor to be reset; another administrator approves."""

    def post(self, request: HttpRequest, membership_id: int) -> HttpResponse:
        services.do_request_mfa_reset(
            self.membership(membership_id), user=request.user, request=request
        )
        messages.success(request, "Reset requested; another administrator must approve it.")
        return redirect("accounts:staff")


class MFAResetApproveView(ClinicAdminView):
    audit_object_type = "accounts.mfaresetrequest"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, reset_id: int) -> HttpResponse:
        reset = get_object_or_404(MFAResetRequest, pk=reset_id, clinic=self.clinic)
        services.do_approve_mfa_reset(reset, user=request.user, request=request)
        messages.success(request, "Approved: the staff member was e-mailed an enrolment link.")
        return redirect("accounts:staff")


@public_view("the staff member's own enrolment invitation; checks its token, audits both ways")
@login_required
def mfa_invitation(request: HttpRequest, token: str) -> HttpResponse:
    if services.accept_enrolment_invitation(token, user=request.user, request=request):
        return redirect("mfa_activate_totp")
    return render(request, "accounts/mfa_enrolment_needed.html", {"bad_link": True}, status=403)


@public_view("tells a signed-in staff member how to get an enrolment invitation; no data")
@login_required
def mfa_enrolment_needed(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/mfa_enrolment_needed.html", {"bad_link": False})
