from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "soutien.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from soutien.reports import facts, hours, tasks  # noqa: F401  (registers the periodic jobs)

        facts.connect()
        hours.connect()
