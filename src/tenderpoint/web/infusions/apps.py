from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    name = "tenderpoint.web.infusions"
    label = "infusions"
    verbose_name = "Infusions"

    def ready(self) -> None:
        from tenderpoint.web.infusions import policies  # noqa: F401  (registers the permissions)
