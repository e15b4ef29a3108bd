from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DaasConfig(AppConfig):
    name = "fleetcare.daas"
    label = "daas"
    verbose_name = _("Device-as-a-Service")

    def ready(self) -> None:
        from fleetcare.portal.context import register

        from .permissions import can_browse_subscriptions

        register("daas:list", _("DaaS"), visible=can_browse_subscriptions)
