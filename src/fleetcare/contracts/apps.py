from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "fleetcare.contracts"
    label = "contracts"

    def ready(self) -> None:
        from fleetcare.portal.context import register

        from .permissions import can_browse_contracts

        register("contracts:list", _("Contracts"), visible=can_browse_contracts)
