from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DaasConfig(AppConfig):
    name = "fleetcare.daas"
    label = "daas"
    verbose_name = _("Device-as-a-Service")

    def ready(self) -> None:
        from fleetcare.billing.pdf import PDF_CONTEXT
        from fleetcare.daas.invoicing import pdf_context
        from fleetcare.portal.context import register

        PDF_CONTEXT["daas_monthly_invoice"] = pdf_context

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
