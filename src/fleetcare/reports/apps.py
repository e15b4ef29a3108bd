from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "fleetcare.reports"
    label = "reports"

    def ready(self) -> None:
        from fleetcare.portal.context import register

        register(
            "reports:monthly", _("Monthly report"), roles={"customer_admin", "vendor_admin", "csm"}
        )
