from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "soutien.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from soutien.sla import tasks  # noqa: F401  (periodic jobs)
