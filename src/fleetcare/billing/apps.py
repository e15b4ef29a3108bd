from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "fleetcare.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from fleetcare.portal.context import register

        from .permissions import can_browse_documents

        register("billing:documents", _("Documents"), visible=can_browse_documents)
