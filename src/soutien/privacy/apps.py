from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "soutien.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from soutien.privacy import periodic, purgers  # noqa: F401  (periodic jobs)

        purgers.register()
