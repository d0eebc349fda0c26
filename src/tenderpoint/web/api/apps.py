from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tenderpoint.web.api"
    label = "api"
    verbose_name = "FHIR API"

    def ready(self) -> None:
        from tenderpoint.web.api import policies  # noqa: F401  (registers the permissions)
