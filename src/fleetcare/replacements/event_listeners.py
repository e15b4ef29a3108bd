"""E-mails when a replacement ships, is delivered or its defective unit is overdue, on the
same events as the webhooks: to the case's requester and the people who act for the
account (or its DaaS partner), each in their own language."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fleetcare.core.emails import absolute, admins_of, send_to
from fleetcare.webhooks.events import listener

from .models import ReplacementOrder

TEMPLATES = {
    "replacement.shipped": "replacements/email/shipped",
    "replacement.delivered": "replacements/email/delivered",
    "replacement.overdue": "replacements/email/overdue",
}


@listener(*TEMPLATES)
def email_replacement(event: str, organisation_ids: list[int], payload: dict[str, Any]) -> None:
    order = (
        ReplacementOrder.objects.select_related("case__requester", "delivery_site", "product_model")
        .filter(pk=payload["replacement_id"])
        .first()
    )
    if order is None:
        return
    recipients = [order.case.requester, *admins_of([order.account_id, order.partner_id])]
    url = absolute(reverse("replacements:detail", args=[order.pk]))
    send_to(recipients, TEMPLATES[event], {"order": order, "url": url})
