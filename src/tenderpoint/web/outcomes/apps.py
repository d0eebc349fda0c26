from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "tenderpoint.web.outcomes"
    label = "clinic_outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from tenderpoint.web.outcomes import policies, signals  # noqa: F401  (rules, receivers)
