from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "soutien.kb"
    label = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from soutien.kb import retention, tasks  # noqa: F401  (periodic jobs)

        retention.register()
