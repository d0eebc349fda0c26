from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tenderpoint.web.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from tenderpoint.web.portal import progress_page  # noqa: F401  (registers the cached page)
