from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReplacementsConfig(AppConfig):
    name = "fleetcare.replacements"
    label = "replacements"
    verbose_name = _("Advance replacements")

    def ready(self) -> None:
        from fleetcare.billing.models import Document
        from fleetcare.billing.signals import document_issued
        from fleetcare.portal.context import register

        from . import services
        from .permissions import can_browse_replacements

        document_issued.connect(
            services.on_document_issued, sender=Document, dispatch_uid="rma-charge-issued"
        )
        register("replacements:list", _("Replacements"), visible=can_browse_replacements)
