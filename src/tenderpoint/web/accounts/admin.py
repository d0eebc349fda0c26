"""Operator admin for accounts and clinics. Patient data is deliberately not registered here:
the admin site would bypass the access rule and the audit trail."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from tenderpoint.web.accounts.models import Clinic, Membership, User


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
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    list_filter = ["is_active", "is_staff", "is_superuser"]
    filter_horizontal = ()
    inlines = [MembershipInline]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "phone"]
    prepopulated_fields = {"slug": ["name"]}
