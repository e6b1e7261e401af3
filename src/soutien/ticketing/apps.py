from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketingConfig(AppConfig):
    name = "soutien.ticketing"
    label = "ticketing"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from soutien.ticketing import retention, tasks  # noqa: F401  (registers the periodic jobs)

        retention.register()
