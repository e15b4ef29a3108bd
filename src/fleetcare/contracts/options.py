"""Paid options and professional services of a P+E contract (R-PE-8, R-MON-2): the
documents billing raises for them, in the contract's currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fleetcare.billing.models import Document, DocumentKind
from fleetcare.billing.services import (
    LineSpec,
    create_document,
    in_language_of,
    require_billing,
)

# Prices of the paid P+E options, per contract year, in the contract's currency. Data, not
# code: override with the setting BILLING_OPTION_PRICES (same keys).
DEFAULT_OPTION_PRICES = {
    "extra_csm_block": Decimal("9600.00"),  # one block = 8 hours a month for a year
    "technical_account_management": Decimal("30000.00"),
    "onsite_destruction": Decimal("1500.00"),
    "professional_services_hour": Decimal("180.00"),
}


def option_prices() -> dict[str, Decimal]:
    prices = dict(DEFAULT_OPTION_PRICES)
    for key, value in getattr(settings, "BILLING_OPTION_PRICES", {}).items():
        prices[key] = Decimal(str(value))
    return prices


def _recipient(contract: Any) -> Any:
    """R-MON-2: P+E documents go to the distribution partner on behalf of the customer."""
    return contract.distribution_partner or contract.account


@transaction.atomic
def raise_options_order(contract: Any, *, actor: Any = None) -> Document:
    """A draft order for the paid options of a P+E contract's term (extra CSM blocks,
    technical account management, on-site destruction). Idempotent per contract."""
    require_billing(actor)
    prices = option_prices()
    term = {"start": contract.start_date, "end": contract.end_date}
    recipient = _recipient(contract)
    lines = []
    with in_language_of(recipient):
        title = _("Paid options — %(reference)s") % {"reference": contract.reference}
        csm_text = _("Extra CSM blocks (8 hours a month each), %(start)s – %(end)s") % term
        tam_text = _("Technical account management, %(start)s – %(end)s") % term
        destruction_text = _("On-site destruction of replaced units, %(start)s – %(end)s") % term
    if contract.extra_csm_blocks:
        lines.append(
            LineSpec(
                csm_text,
                contract.extra_csm_blocks,
                prices["extra_csm_block"],
                sku="OPT-CSM-BLOCK",
            )
        )
    if contract.technical_account_management:
        lines.append(
            LineSpec(
                tam_text,
                1,
                prices["technical_account_management"],
                sku="OPT-TAM",
            )
        )
    if contract.onsite_destruction:
        lines.append(
            LineSpec(
                destruction_text,
                1,
                prices["onsite_destruction"],
                sku="OPT-DESTRUCTION",
            )
        )
    if not lines:
        raise ValidationError(
            _("%(reference)s has no paid options.") % {"reference": contract.reference}
        )
    return create_document(
        kind=DocumentKind.ORDER,
        purpose="options",
        programme=contract.programme_code,
        account=contract.account,
        addressed_to=recipient,
        currency=contract.currency,
        title=title,
        lines=lines,
        actor=actor,
        source_key=f"options:{contract.pk}",
        period=(contract.start_date, contract.end_date),
    )


@transaction.atomic
def raise_professional_services_quote(
    contract: Any,
    *,
    actor: Any,
    description: str,
    hours: Decimal | int,
    hourly_rate: Decimal | None = None,
) -> Document:
    """A quote for professional services at the contract's discount (R-PE-8)."""
    require_billing(actor)
    errors = {}
    if not description.strip():
        errors["description"] = [_("Describe the professional services.")]
    hours = Decimal(str(hours))
    if hours <= 0:
        errors["hours"] = [_("Hours must be positive.")]
    if errors:
        raise ValidationError(errors)
    rate = hourly_rate if hourly_rate is not None else option_prices()["professional_services_hour"]
    discount = Decimal(contract.professional_services_discount)
    factor = (Decimal(100) - discount) / Decimal(100)
    recipient = _recipient(contract)
    with in_language_of(recipient):
        title = _("Professional services — %(reference)s") % {"reference": contract.reference}
        text = _("%(description)s (contract discount %(discount)s %%)") % {
            "description": description.strip(),
            "discount": discount.normalize(),
        }
    return create_document(
        kind=DocumentKind.QUOTE,
        purpose="professional_services",
        programme=contract.programme_code,
        account=contract.account,
        addressed_to=recipient,
        currency=contract.currency,
        title=title,
        lines=[
            LineSpec(
                text,
                hours,
                rate,
                factor,
                sku="PS-HOUR",
            )
        ],
        actor=actor,
    )
