from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tenderpoint.web.demo"
    label = "demo"
    verbose_name = "Synthetic demo clinic"
