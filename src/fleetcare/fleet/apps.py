from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "fleetcare.fleet"
    label = "fleet"

    def ready(self) -> None:
        from fleetcare.portal.context import register

        register(
            "fleet:devices",
            _("Fleet"),
            roles={
                "customer_admin",
                "vendor_admin",
                "csm",
                "support_agent",
                "service_operations",
                "escalation_manager",
                "partner",
            },
        )
