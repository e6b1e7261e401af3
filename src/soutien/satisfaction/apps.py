from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    name = "soutien.satisfaction"
    label = "satisfaction"
    verbose_name = _("Client satisfaction")

    def ready(self) -> None:
        from soutien.satisfaction import tasks  # noqa: F401  (registers the periodic job)
