from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tenderpoint.web.accounts"
    label = "accounts"
    verbose_name = "Accounts and clinics"

    def ready(self) -> None:
        from tenderpoint.web.accounts import policies  # noqa: F401  (registers the rules)
