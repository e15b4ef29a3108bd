from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "fleetcare.contracts"
    label = "contracts"

    def ready(self) -> None:
        from fleetcare.portal.context import register

        register(
            "contracts:list",
            _("Contracts"),
            roles={"customer_admin", "vendor_admin", "csm", "billing", "distributor"},
        )
