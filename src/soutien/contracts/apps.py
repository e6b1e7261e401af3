from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "soutien.contracts"
    label = "contracts"
    verbose_name = _("Contracts and plans")

    def ready(self) -> None:
        from soutien.contracts import terms
        from soutien.sla.terms import register

        register(terms.ContractTermsSource())
        register(terms.PlanTermsSource())
