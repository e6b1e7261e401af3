from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "soutien.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from soutien.accounts import retention

        retention.register()
