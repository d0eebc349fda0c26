from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "tenderpoint.web.public"
    label = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        from tenderpoint.web.public import policies  # noqa: F401  (registers the rules)
