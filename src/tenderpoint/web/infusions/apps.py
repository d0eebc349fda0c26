from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    name = "tenderpoint.web.infusions"
    label = "infusions"
    verbose_name = "Infusions"
