from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "soutien.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from soutien.notifications import (  # noqa: F401  (register the kinds of email)
            access,
            agreements,
            emails,
            newsletter,
            reports,
            retention,
            training,
        )

        retention.register()
