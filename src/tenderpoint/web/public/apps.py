from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "tenderpoint.web.public"
    label = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        from tenderpoint.web.public import page_cache, policies  # noqa: F401  (policies: the rules)

        page_cache.connect_signals()
