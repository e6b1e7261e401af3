from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "soutien.agreements"
    label = "agreements"
    verbose_name = _("Development agreements")

    def ready(self) -> None:
        from soutien.agreements import tasks  # noqa: F401  (registers the periodic jobs)
