from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "fleetcare.licences"
    label = "licences"
    verbose_name = _("Licences")

    def ready(self) -> None:
        from fleetcare.portal.context import register

        from .permissions import can_browse_licences

        register("licences:list", _("Licences"), visible=can_browse_licences)
