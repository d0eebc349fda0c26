"""Clinic administration: settings and staff. Each write is audited."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import rules
from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.accounts.models import (
    Clinic,
    Membership,
    MFAEnrolmentInvitation,
    MFAResetRequest,
    User,
)
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
    # The clinic administrator adding a member approves their first second factor too.
    do_send_enrolment_invitation(member, user=user, request=request)
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


# --- second factors: enrolment invitations and resets (issue 13, defects 1 and 2) ---------

INVITATION_SESSION_KEY = "tenderpoint.mfa_invitation"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic  # the invitation, its event and the mail go together
def do_send_enrolment_invitation(
    member: User, *, user: Any, request: Any
) -> MFAEnrolmentInvitation:
    """E-mail ``member`` a one-time link, valid 24 h, that lets them enrol a first second
    factor. ``user`` is the clinic administrator approving it (None: an operator at the
    command line, for operator accounts)."""
    token = secrets.token_urlsafe(32)
    invitation = MFAEnrolmentInvitation.objects.create(
        user=member,
        token_hash=_token_hash(token),
        created_by=user,
        expires_at=timezone.now() + MFAEnrolmentInvitation.VALID_FOR,
    )
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "mfa_invitation", kwargs={"token": token}
    )
    send_mail(
        subject="Set up two-factor authentication",
        message=(
            "You have been invited to set up two-factor authentication for your tenderpoint "
            f"account ({member.email}).\n\nSign in with your password, then open this link "
            f"within 24 hours:\n{link}\n\nIf you did not expect this, tell your clinic's "
            "administrator."
        ),
        from_email=None,
        recipient_list=[member.email],
    )
    audit.record(
        Action.CREATE,
        request=request,
        user=user,
        obj=invitation,
        object_type="accounts.mfaenrolmentinvitation",
        detail={"for": member.email},
    )
    return invitation


def accept_enrolment_invitation(token: str, *, user: Any, request: Any) -> bool:
    """Check the link's token for the signed-in ``user``; when good, the session may enrol
    (the invitation is used up when the authenticator is added). Audited either way."""
    invitation = MFAEnrolmentInvitation.objects.filter(token_hash=_token_hash(token)).first()
    if invitation is None or invitation.user_id != user.pk or not invitation.is_usable:
        reason = (
            "unknown link"
            if invitation is None
            else ("another account's link" if invitation.user_id != user.pk else "expired or used")
        )
        audit.record(
            Action.DENIED,
            request=request,
            user=user,
            object_type="accounts.mfaenrolmentinvitation",
            object_id=str(invitation.pk) if invitation else "",
            detail={"reason": reason},
        )
        return False
    request.session[INVITATION_SESSION_KEY] = invitation.pk
    audit.record(Action.VIEW, request=request, user=user, obj=invitation)
    return True


def may_enrol_now(request: Any) -> bool:
    """Whether this session holds a usable invitation for its user."""
    invitation_id = request.session.get(INVITATION_SESSION_KEY)
    if invitation_id is None:
        return False
    invitation = MFAEnrolmentInvitation.objects.filter(pk=invitation_id).first()
    return bool(invitation and invitation.user_id == request.user.pk and invitation.is_usable)


def use_up_invitation(request: Any) -> None:
    invitation_id = request.session.pop(INVITATION_SESSION_KEY, None)
    if invitation_id is not None:
        MFAEnrolmentInvitation.objects.filter(pk=invitation_id, used_at=None).update(
            used_at=timezone.now()
        )


def _check_staff_member(membership: Membership, clinic: Clinic, user: Any) -> None:
    if membership.clinic_id != clinic.pk or membership.role == Role.PATIENT:
        raise PermissionDenied("That person is not a staff member of your clinic.")
    if not membership.is_active:
        raise PermissionDenied("This membership has ended.")
    if membership.user_id == user.pk:
        raise PermissionDenied("Ask another administrator about your own second factor.")


@transaction.atomic  # the write and its audit event commit together, or neither
def do_invite_first_enrolment(membership: Membership, *, user: Any, request: Any) -> None:
    """A clinic administrator approves a staff member's first enrolment: the invitation goes
    to the member's own e-mail. Refused when they already have a second factor (that is a
    reset, which needs a second administrator)."""
    clinic = check_can_manage_clinic(user)
    _check_staff_member(membership, clinic, user)
    if is_mfa_enabled(membership.user):
        raise PermissionDenied("This person has a second factor; request a reset instead.")
    do_send_enrolment_invitation(membership.user, user=user, request=request)


@transaction.atomic  # the write and its audit event commit together, or neither
def do_request_mfa_reset(membership: Membership, *, user: Any, request: Any) -> MFAResetRequest:
    clinic = check_can_manage_clinic(user)
    _check_staff_member(membership, clinic, user)
    reset = MFAResetRequest.objects.create(clinic=clinic, member=membership.user, requested_by=user)
    audit.record(
        Action.CREATE, request=request, user=user, obj=reset, detail={"for": reset.member.email}
    )
    return reset


@transaction.atomic  # the write and its audit event commit together, or neither
def do_approve_mfa_reset(reset: MFAResetRequest, *, user: Any, request: Any) -> None:
    """A second administrator approves: the member's authenticators are removed and an
    enrolment invitation goes to the member's own e-mail. Nobody sets a factor for them."""
    clinic = check_can_manage_clinic(user)
    if reset.clinic_id != clinic.pk or not reset.is_pending:
        raise PermissionDenied("This reset request is not pending at your clinic.")
    if user.pk in (reset.requested_by_id, reset.member_id):
        raise PermissionDenied("A second administrator must approve this reset.")
    reset.approved_by = user
    reset.approved_at = timezone.now()
    reset.save(update_fields=["approved_by", "approved_at"])
    removed = list(Authenticator.objects.filter(user=reset.member).values_list("type", flat=True))
    Authenticator.objects.filter(user=reset.member).delete()
    audit.record(
        Action.UPDATE,
        request=request,
        user=user,
        obj=reset,
        detail={"for": reset.member.email, "removed": sorted(removed)},
    )
    do_send_enrolment_invitation(reset.member, user=user, request=request)
