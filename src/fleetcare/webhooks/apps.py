from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "fleetcare.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from fleetcare.billing.models import Document
        from fleetcare.billing.signals import document_issued
        from fleetcare.portal.context import register

        from . import payloads
        from .permissions import can_manage_webhooks

        def _issued(sender, document, **kwargs):
            payloads.document("document.issued", document)

        document_issued.connect(
            _issued, sender=Document, dispatch_uid="webhooks-document-issued", weak=False
        )

        register(
            "webhooks:list",
            _("Webhooks"),
            visible=can_manage_webhooks,
        )
