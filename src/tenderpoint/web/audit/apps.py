from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tenderpoint.web.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from tenderpoint.web.audit import (  # noqa: F401  (sign-ins, admin changes)
            admin_audit,
            signals,
        )
