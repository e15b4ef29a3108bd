"""Paid options and professional services of a P+E contract (R-PE-8, R-MON-2): the
documents billing raises for them, in the contract's currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from fleetcare.billing import titles
from fleetcare.billing.models import Document, DocumentKind
from fleetcare.billing.services import (
    LineSpec,
    create_document,
    require_billing,
)

# Prices of the paid P+E options, per contract year, one price list per currency (written
# as data, never converted; illustrative). Override with the setting BILLING_OPTION_PRICES
# ({"EUR": {"extra_csm_block": "9100.00", ...}, ...}).
DEFAULT_OPTION_PRICES: dict[str, dict[str, Decimal]] = {
    "USD": {
        "extra_csm_block": Decimal("9600.00"),  # one block = 8 hours a month for a year
        "technical_account_management": Decimal("30000.00"),
        "onsite_destruction": Decimal("1500.00"),
        "professional_services_hour": Decimal("180.00"),
    },
    "EUR": {
        "extra_csm_block": Decimal("9100.00"),
        "technical_account_management": Decimal("28500.00"),
        "onsite_destruction": Decimal("1450.00"),
        "professional_services_hour": Decimal("170.00"),
    },
    "GBP": {
        "extra_csm_block": Decimal("7900.00"),
        "technical_account_management": Decimal("24500.00"),
        "onsite_destruction": Decimal("1250.00"),
        "professional_services_hour": Decimal("150.00"),
    },
    "CAD": {
        "extra_csm_block": Decimal("13000.00"),
        "technical_account_management": Decimal("40500.00"),
        "onsite_destruction": Decimal("2000.00"),
        "professional_services_hour": Decimal("245.00"),
    },
}

OPTION_LABELS = {
    "extra_csm_block": _lazy("extra CSM block"),
    "technical_account_management": _lazy("technical account management"),
    "onsite_destruction": _lazy("on-site destruction"),
    "professional_services_hour": _lazy("professional-services hour"),
}


def option_prices(currency: str) -> dict[str, Decimal]:
    """The options' price list in ``currency`` (empty when the vendor has none in it)."""
    code = (currency or "").upper()
    prices = dict(DEFAULT_OPTION_PRICES.get(code, {}))
    for key, value in getattr(settings, "BILLING_OPTION_PRICES", {}).get(code, {}).items():
        prices[key] = Decimal(str(value))
    return prices


def option_price(currency: str, key: str) -> Decimal:
    """One option's price in ``currency``; a refusal naming option and currency if none."""
    price = option_prices(currency).get(key)
    if price is None:
        raise ValidationError(
            _("The price list has no %(option)s price in %(currency)s.")
            % {"option": OPTION_LABELS[key], "currency": (currency or "").upper()},
            code="missing_price",
        )
    return price


def _recipient(contract: Any) -> Any:
    """R-MON-2: P+E documents go to the distribution partner on behalf of the customer."""
    return contract.distribution_partner or contract.account


@transaction.atomic
def raise_options_order(contract: Any, *, actor: Any = None) -> Document:
    """A draft order for the paid options of a P+E contract's term (extra CSM blocks,
    technical account management, on-site destruction). Idempotent per contract."""
    require_billing(actor)
    term = {"start": contract.start_date.isoformat(), "end": contract.end_date.isoformat()}
    recipient = _recipient(contract)
    lines = []
    title = titles.PAID_OPTIONS.message(reference=contract.reference)
    csm_text = titles.LINE_OPTION_CSM.message(**term)
    tam_text = titles.LINE_OPTION_TAM.message(**term)
    destruction_text = titles.LINE_OPTION_DESTRUCTION.message(**term)
    if contract.extra_csm_blocks:
        lines.append(
            LineSpec(
                csm_text,
                contract.extra_csm_blocks,
                option_price(contract.currency, "extra_csm_block"),
                sku="OPT-CSM-BLOCK",
            )
        )
    if contract.technical_account_management:
        lines.append(
            LineSpec(
                tam_text,
                1,
                option_price(contract.currency, "technical_account_management"),
                sku="OPT-TAM",
            )
        )
    if contract.onsite_destruction:
        lines.append(
            LineSpec(
                destruction_text,
                1,
                option_price(contract.currency, "onsite_destruction"),
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
    rate = (
        hourly_rate
        if hourly_rate is not None
        else option_price(contract.currency, "professional_services_hour")
    )
    discount = Decimal(contract.professional_services_discount)
    factor = (Decimal(100) - discount) / Decimal(100)
    recipient = _recipient(contract)
    # Serialise quotes of one contract: each gets the next key ps:<contract>:<n>.
    type(contract).objects.select_for_update().filter(pk=contract.pk).first()
    n = Document.objects.filter(source_key__startswith=f"ps:{contract.pk}:").count() + 1
    title = titles.PROFESSIONAL_SERVICES.message(reference=contract.reference)
    text = titles.LINE_PROFESSIONAL_SERVICES.message(
        description=description.strip(), discount=str(discount.normalize())
    )
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
        source_key=f"ps:{contract.pk}:{n}",
    )


def contract_documents(contract: Any, user: Any) -> Any:
    """What has been billed for a contract (R-MON-2), as ``user`` may see it: its upfront
    order, renewal quote (of the next term), adjustment quotes, options order,
    professional-services quotes and the unreturned-unit charges of its replacements."""
    from django.db.models import Q

    from fleetcare.replacements.models import ReplacementOrder

    nxt = type(contract).objects.filter(previous=contract).values_list("pk", flat=True)
    adjustments = contract.adjustments.values_list("pk", flat=True)
    orders = ReplacementOrder.objects.filter(enterprise_contract=contract).values_list(
        "pk", flat=True
    )
    keys = [f"pe-upfront:{contract.pk}", f"options:{contract.pk}"]
    keys += [f"pe-renewal:{pk}" for pk in nxt]
    keys += [f"pe-adjustment:{pk}" for pk in adjustments]
    keys += [f"rma-unreturned:{pk}" for pk in orders] + [f"rma-threshold:{pk}" for pk in orders]
    return (
        Document.objects.visible_to(user)
        .filter(Q(source_key__in=keys) | Q(source_key__startswith=f"ps:{contract.pk}:"))
        .select_related("addressed_to")
        .order_by("created_at", "id")
    )
