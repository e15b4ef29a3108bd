from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "fleetcare.fleet"
    label = "fleet"

    def ready(self) -> None:
        from fleetcare.portal.context import register

        from .permissions import can_browse_fleet

        register("fleet:devices", _("Fleet"), visible=can_browse_fleet)
        register("fleet:compliance", _("Firmware compliance"), visible=can_browse_fleet)
