from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "fleetcare.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from fleetcare.portal.context import register

        register(
            "webhooks:list",
            _("Webhooks"),
            roles={"vendor_admin", "customer_admin", "partner", "distributor"},
        )
