from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresenceConfig(AppConfig):
    name = "soutien.presence"
    label = "presence"
    verbose_name = _("Presence on requests")

    def ready(self) -> None:
        from soutien.presence import tasks  # noqa: F401  (registers the periodic job)
