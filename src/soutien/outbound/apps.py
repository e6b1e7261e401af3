from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboundConfig(AppConfig):
    name = "soutien.outbound"
    label = "outbound"
    verbose_name = _("Outgoing email")

    def ready(self) -> None:
        from soutien.outbound import retention, tasks  # noqa: F401  (periodic jobs)

        retention.register()
