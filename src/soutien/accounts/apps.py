from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "soutien.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from soutien.accounts import retention
        from soutien.accounts.signin import record_second_factor_at_login

        user_logged_in.connect(record_second_factor_at_login, dispatch_uid="soutien_second_factor")
        retention.register()
