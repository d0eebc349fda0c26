from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "tenderpoint.web.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from tenderpoint.web import checks  # noqa: F401  (registers the system checks)
