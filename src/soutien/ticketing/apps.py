from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketingConfig(AppConfig):
    name = "soutien.ticketing"
    label = "ticketing"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from soutien.accounts import renames
        from soutien.ticketing import retention, tasks  # (registers the periodic jobs)

        retention.register()
        # A new name of a contact or an organization: their requests are indexed again.
        renames.register(tasks.people_renamed)
