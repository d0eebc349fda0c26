"""Users, clinics and the membership that gives a user a role at a clinic."""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from tenderpoint.web.accounts.choices import CARE_TEAM_ROLES, STAFF_ROLES, Role

#: The oldest age a date of birth may give: verified human lifespans end near 122 years, so
#: anything older is a typing error (1890 for 1990), never a patient.
MAX_PLAUSIBLE_AGE_YEARS = 120

phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-.]{6,20}$",
    "Enter a phone number of digits, spaces, brackets or dashes, optionally starting with +.",
)


def validate_time_zone(value: str) -> None:
    """Accept only IANA time zone names (``Europe/Berlin``), which zoneinfo can load."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone name such as America/New_York.",
            code="unknown_time_zone",
            params={"value": value},
        )


class UserManager(BaseUserManager["User"]):
    """Users are identified by their e-mail address; there is no user name."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a patient, a member of a clinic's staff, or a system operator.

    ``is_staff`` keeps Django's meaning (may use the operator admin site); the clinical role
    comes from the user's clinic membership.
    """

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "operator", default=False, help_text="May sign in to the operator admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def membership(self) -> Membership | None:
        """The user's active clinic membership, if any (one per user)."""
        return Membership.objects.select_related("clinic").filter(user=self, is_active=True).first()

    @property
    def role(self) -> str | None:
        membership = self.membership
        return membership.role if membership else None

    @property
    def clinic(self) -> Clinic | None:
        membership = self.membership
        return membership.clinic if membership else None

    @property
    def is_clinic_staff(self) -> bool:
        """Nurse, clinician or clinic admin: must use MFA and has the shorter idle timeout."""
        return self.role in STAFF_ROLES

    @property
    def is_care_team(self) -> bool:
        """Nurse or clinician: may see the clinical records of their clinic's patients."""
        return self.role in CARE_TEAM_ROLES

    @property
    def audit_role(self) -> str:
        if self.role:
            return self.role
        return "superuser" if self.is_superuser else "none"


class Clinic(models.Model):
    """A clinic: the unit that owns patients, staff and content."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name, e.g. America/Chicago; diary days and times are shown in it.",
    )
    phone = models.CharField(max_length=32, blank=True, validators=[phone_validator])
    sms_number = models.CharField(
        "SMS number", max_length=32, blank=True, validators=[phone_validator]
    )
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    hours = models.TextField(blank=True, help_text="Opening hours as shown to visitors.")
    minimum_patient_age_years = models.PositiveSmallIntegerField(
        "minimum patient age (years)",
        default=18,
        validators=[MaxValueValidator(MAX_PLAUSIBLE_AGE_YEARS)],
        help_text=(
            "Patients younger than this on the day they are registered or edited are refused "
            "(18 for an adults-only clinic)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    """Ties a user to a clinic with one role. A user has at most one active membership."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_active=True),
                name="one_active_membership_per_user",
            )
        ]
        ordering = ["clinic", "role", "user"]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.clinic}"


class MFAEnrolmentInvitation(models.Model):
    """Permission to enrol a first second factor, sent to the account's own e-mail address
    (issue 13, defect 2): a password alone no longer chooses the second factor. Only the
    SHA-256 of the link's token is stored; the link works once, for 24 hours, for the
    account it names, after that account has signed in with its password."""

    VALID_FOR = datetime.timedelta(hours=24)

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mfa_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"MFA enrolment invitation for {self.user}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and timezone.now() < self.expires_at


class MFAResetRequest(models.Model):
    """A staff member lost their second factor: one clinic administrator asks, a second one
    approves (never the same person, never the person concerned). Approval removes the old
    authenticators and e-mails an enrolment invitation (issue 13, defect 1)."""

    VALID_FOR = datetime.timedelta(hours=24)

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Second-factor reset for {self.member}"

    @property
    def is_pending(self) -> bool:
        return self.approved_at is None and timezone.now() < self.requested_at + self.VALID_FOR
