from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tenderpoint.web.api"
    label = "api"
    verbose_name = "FHIR API"
