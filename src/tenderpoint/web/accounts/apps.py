from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tenderpoint.web.accounts"
    label = "accounts"
    verbose_name = "Accounts and clinics"

    def ready(self) -> None:
        from tenderpoint.web.accounts import policies, signals  # noqa: F401  (rules, audit hooks)
        from tenderpoint.web.accounts.mfa import install_single_use_totp

        install_single_use_totp()
