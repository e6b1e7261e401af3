from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "soutien.workspace"
    label = "workspace"
    verbose_name = _("Technicians' workspace")
