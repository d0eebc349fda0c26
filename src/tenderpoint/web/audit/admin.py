from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tenderpoint.web.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, even for operators."""

    list_display = [
        "sequence",
        "occurred_at",
        "actor_email",
        "role",
        "action",
        "object_type",
        "object_id",
    ]
    list_filter = ["action", "role"]
    search_fields = ["actor_email", "object_id", "patient_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
