from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "fleetcare.support"
    label = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        from fleetcare.portal.context import register

        from .permissions import can_browse_cases, can_manage_escalations, is_agent

        register("support:cases", _("Cases"), visible=can_browse_cases)
        register("support:queue", _("Queue"), visible=is_agent)
        register("support:escalations", _("Escalations"), visible=can_manage_escalations)
