from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tenderpoint.web.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from tenderpoint.web.audit import signals  # noqa: F401  (log-in and failed log-in)
