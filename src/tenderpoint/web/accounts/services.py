"""Clinic administration: settings and staff. Each write is audited."""

from __future__ import annotations

from typing import Any

import rules
from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.accounts.models import Clinic, Membership, User
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action

CMS_GROUP = "Moderators"  # Wagtail's group that may edit and publish every page


def sync_cms_access(member: User) -> None:
    """Clinic administrators edit and publish the public site; nobody else does."""
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=CMS_GROUP).first()
    if group is None:
        return
    if member.is_active and member.role == Role.CLINIC_ADMIN:
        member.groups.add(group)
    else:
        member.groups.remove(group)


def check_can_manage_clinic(user: Any) -> Clinic:
    if not rules.has_perm("accounts.manage_clinic", user):
        raise PermissionDenied("Only clinic administrators manage the clinic.")
    return user.clinic


@transaction.atomic  # the write and its audit event commit together, or neither
def do_update_clinic(clinic: Clinic, *, user: Any, request: Any, changed: list[str]) -> Clinic:
    check_can_manage_clinic(user)
    clinic.full_clean()
    clinic.save()
    audit.record(Action.UPDATE, request=request, user=user, obj=clinic, detail={"fields": changed})
    return clinic


@transaction.atomic  # the write and its audit event commit together, or neither
def do_add_staff_member(
    *, clinic: Clinic, full_name: str, email: str, role: str, user: Any, request: Any
) -> User:
    """Create the account without a password and send the new member a link to set one."""
    check_can_manage_clinic(user)
    member = User.objects.create_user(email=email, full_name=full_name)
    member.set_unusable_password()
    member.save(update_fields=["password"])
    EmailAddress.objects.create(user=member, email=member.email, primary=True, verified=True)
    Membership.objects.create(user=member, clinic=clinic, role=Role(role))
    sync_cms_access(member)
    audit.record(Action.CREATE, request=request, user=user, obj=member, detail={"role": role})
    # Inside the transaction: if the invitation cannot be sent, no half-made account remains.
    send_set_password_link(member, request)
    return member


def send_set_password_link(member: User, request: Any) -> None:
    """E-mail the member allauth's password-reset link, which is how they set a first one."""
    form = ResetPasswordForm(data={"email": member.email})
    if form.is_valid():
        form.save(request)


@transaction.atomic  # the write and its audit event commit together, or neither
def do_change_role(membership: Membership, *, role: str, user: Any, request: Any) -> Membership:
    clinic = check_can_manage_clinic(user)
    if membership.clinic_id != clinic.pk or membership.role == Role.PATIENT:
        raise PermissionDenied("That person is not a staff member of your clinic.")
    if membership.user_id == user.pk:
        raise PermissionDenied("You cannot change your own role; ask another administrator.")
    previous = membership.role
    membership.role = Role(role)
    membership.save(update_fields=["role"])
    membership.user.__dict__.pop("membership", None)  # drop the cached role
    sync_cms_access(membership.user)
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=membership,
        detail={"role": {"from": previous, "to": role}},
    )
    return membership


@transaction.atomic  # the write and its audit event commit together, or neither
def do_deactivate_member(membership: Membership, *, user: Any, request: Any) -> Membership:
    """End a staff member's access; the account stays for the audit trail."""
    clinic = check_can_manage_clinic(user)
    if membership.clinic_id != clinic.pk or membership.role == Role.PATIENT:
        raise PermissionDenied("That person is not a staff member of your clinic.")
    if membership.user_id == user.pk:
        raise PermissionDenied("You cannot remove your own access.")
    if not membership.is_active:
        raise PermissionDenied("This membership has already ended.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    if not membership.user.memberships.filter(is_active=True).exists():
        membership.user.is_active = False  # the account stays, for the audit trail
        membership.user.save(update_fields=["is_active"])
    sync_cms_access(membership.user)
    audit.record(
        Action.UPDATE, request=request, user=user, obj=membership, detail={"deactivated": True}
    )
    return membership
