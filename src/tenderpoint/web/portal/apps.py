from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tenderpoint.web.portal"
    label = "portal"
    verbose_name = "Portal"
