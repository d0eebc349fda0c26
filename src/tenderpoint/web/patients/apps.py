from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "tenderpoint.web.patients"
    label = "patients"
    verbose_name = "Patients"

    def ready(self) -> None:
        from tenderpoint.web.patients import policies  # noqa: F401  (registers the rules)
