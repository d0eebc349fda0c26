"""Operator admin for accounts and clinics. Patient data is deliberately not registered here:
the admin site would bypass the access rule and the audit trail.

No one sets or removes another person's password, e-mail address or second factor here
(issue 13, defect 1: an operator could take over any account and act under its name).
Recovery is a documented flow instead (docs/security.md): a password-reset link to the
user's own e-mail; for a lost second factor, one clinic administrator's request and a
second one's approval, then an enrolment link to the user's own e-mail. Every admin change
is written to the audit trail (``admin_audit``), and so is every admin page read.
"""

from typing import Any

import allauth.mfa.admin  # noqa: F401  (registers first, so that we can replace it below)
from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.urls import URLPattern

from tenderpoint.web.accounts.models import Clinic, Membership, User
from tenderpoint.web.accounts.services import send_set_password_link


class MembershipInline(admin.TabularInline):
    """Read-only: a role is given by the clinic's administrator, through an audited service,
    never here (an operator could otherwise make themself a clinician)."""

    model = Membership
    extra = 0
    can_delete = False
    readonly_fields = ["clinic", "role", "is_active", "created_at"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts: operators create them (the person sets their own password from an e-mailed
    link) and manage the operator flags; they cannot set a password or change an e-mail."""

    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email",)}),
        ("Person", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name")}),)
    readonly_fields = ["email", "last_login", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    filter_horizontal = ()
    inlines = [MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The e-mail is typed once, when the account is made; changing it later would let
        # the operator receive the person's password-reset mail.
        return list(self.readonly_fields) if obj is not None else ["last_login", "date_joined"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = _new_account_form()
        return super().get_form(request, obj, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        # Drop Django's "change password" page for other people's accounts.
        return [url for url in super().get_urls() if "password" not in str(url.pattern)]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"primary": True, "verified": True}
            )
            send_set_password_link(obj, request)


def _new_account_form() -> Any:
    from django import forms

    class NewAccountForm(forms.ModelForm):
        class Meta:
            model = User
            fields = ["email", "full_name"]

    return NewAccountForm


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "phone"]
    prepopulated_fields = {"slug": ["name"]}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for support, never changed here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# allauth registers these editable: an operator could delete someone's second factor or add
# an e-mail address of their own to someone's account and reset its password.
for model in (Authenticator, EmailAddress, EmailConfirmation):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    exclude = ["data"]  # encrypted secrets are nobody's business here


@admin.register(EmailAddress)
class ReadOnlyEmailAddressAdmin(ReadOnlyAdmin):
    list_display = EmailAddressAdmin.list_display
    search_fields = ["email", "user__email"]
    actions = None
