from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "fleetcare.support"
    label = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        from fleetcare.portal.context import register

        agents = {"vendor_admin", "support_agent", "escalation_manager", "service_operations"}
        register(
            "support:cases",
            _("Cases"),
            roles={*agents, "csm", "billing", "customer_admin", "partner", "end_user"},
        )
        register("support:queue", _("Queue"), roles=agents)
        register(
            "support:escalations", _("Escalations"), roles={"vendor_admin", "escalation_manager"}
        )
