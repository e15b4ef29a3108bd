from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DaasConfig(AppConfig):
    name = "fleetcare.daas"
    label = "daas"
    verbose_name = _("Device-as-a-Service")

    def ready(self) -> None:
        from fleetcare.portal.context import register

        register(
            "daas:list",
            _("DaaS"),
            roles={
                "partner",
                "vendor_admin",
                "service_operations",
                "billing",
                "support_agent",
                "csm",
                "distributor",
            },
        )
