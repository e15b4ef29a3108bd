from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "fleetcare.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from fleetcare.portal.context import register

        register(
            "billing:documents",
            _("Documents"),
            roles={"billing", "vendor_admin", "partner", "customer_admin", "distributor"},
        )
