from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "soutien.channels.mail"
    label = "mail"
    verbose_name = _("Email, phone and fax")

    def ready(self) -> None:
        from soutien.channels.mail import retention, tasks  # noqa: F401  (periodic jobs)
        from soutien.channels.mail.threading import RequestThreads
        from soutien.outbound.kinds import use_threading

        use_threading(RequestThreads())
        retention.register()
