from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "soutien.mail"
    label = "mail"
    verbose_name = _("Email, phone and fax")

    def ready(self) -> None:
        from soutien.mail import tasks  # noqa: F401  (periodic jobs)
