"""Creating a contract and its upfront order (R-PE-1..3); the figures in force at a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.billing import titles
from fleetcare.billing.services import LineSpec, create_document, in_language_of, issue_document
from fleetcare.catalog.models import Category
from fleetcare.contracts.models import (
    BaselineChange,
    ContractCategory,
    ContractStatus,
    EnterpriseContract,
)
from fleetcare.contracts.services.common import (
    band_of,
    default_end,
    programme_of,
    require_csm,
    service_sku,
)
from fleetcare.contracts.services.proposal import unit_prices
from fleetcare.core.changelog import log_change
from fleetcare.core.currency import clean_currency
from fleetcare.core.programmes import ProgrammeKind
from fleetcare.core.roles import OrganisationKind
from fleetcare.rules import enterprise as pe
from fleetcare.rules.programmes import Programme, ProgrammeError, load_programme


@dataclass
class CategoryInput:
    code: str
    installed: int
    growth: int
    unit_price: Decimal


def _reference(account: Any, start: date) -> str:
    base = f"PE-{account.account_number or account.pk}-{start:%Y%m%d}"[:28]
    ref, i = base, 1
    while EnterpriseContract.objects.filter(reference=ref).exists():
        i += 1
        ref = f"{base}-{i}"
    return ref


def _validate_categories(categories: list[CategoryInput], prog: Programme) -> dict[str, Category]:
    errors: list[str] = []
    if not categories:
        errors.append(_("Choose at least one category."))
    seen: set[str] = set()
    cats = {c.code: c for c in Category.objects.filter(code__in=[c.code for c in categories])}
    for i, c in enumerate(categories):
        where = f"categories[{i}] ({c.code})"
        if c.code in seen:
            errors.append(f"{where}: " + _("listed twice"))
        seen.add(c.code)
        if c.code in prog.quote_only_classes or (c.code in cats and cats[c.code].quote_only):
            errors.append(f"{where}: " + _("a quote-only class needs a quote line of its own"))
        elif c.code not in prog.covered_categories or c.code not in cats:
            errors.append(f"{where}: " + _("not a category the programme covers"))
        if c.installed < 0 or c.growth < 0:
            errors.append(f"{where}: " + _("installed and growth must not be negative"))
        if c.unit_price is None or Decimal(c.unit_price) < 0:
            errors.append(f"{where}: " + _("the unit price must not be negative"))
    if errors:
        raise ValidationError({"categories": errors})
    return cats


def _upfront_lines(contract: EnterpriseContract, prog: Programme) -> list[LineSpec]:
    """The upfront lines per category (message codes: each reader's language)."""
    g = prog.upfront_growth_share if prog.upfront_growth_share is not None else Decimal("0.5")
    lines = []
    for cc in contract.categories.select_related("category"):
        term = {"start": contract.start_date.isoformat(), "end": contract.end_date.isoformat()}
        installed_text = titles.LINE_PE_INSTALLED.message(category=cc.category.code, **term)
        growth_text = titles.LINE_PE_GROWTH.message(
            category=cc.category.code, share=f"{g * 100:.0f}"
        )
        if cc.installed:
            lines.append(
                LineSpec(
                    installed_text,
                    cc.installed,
                    cc.unit_price,
                    Decimal(1),
                    service_sku(cc.category.code),
                )
            )
        if cc.growth:
            lines.append(
                LineSpec(
                    growth_text,
                    cc.growth,
                    cc.unit_price,
                    g,
                    service_sku(cc.category.code),
                )
            )
        expected = pe.upfront_amount(cc.installed, cc.growth, cc.unit_price, g)
        got = sum(
            (ln.amount for ln in lines if ln.sku == service_sku(cc.category.code)), Decimal(0)
        )
        if got != expected:  # R-PE-3 is per category; the lines must add up to it
            raise ValidationError(
                _("Upfront lines for %(category)s give %(got)s, rule gives %(expected)s.")
                % {"category": str(cc.category), "got": got, "expected": expected}
            )
    return lines


@transaction.atomic
def create_contract(
    *,
    actor: Any,
    account: Any,
    start_date: date,
    end_date: date | None = None,
    currency: str | None = None,
    categories: list[CategoryInput],
    distribution_partner: Any = None,
    professional_services_discount: Decimal = Decimal(0),
    extra_csm_blocks: int = 0,
    technical_account_management: bool = False,
    onsite_destruction: bool = False,
    proration_basis: str = "",
    previous: Any = None,
    status: str = ContractStatus.ACTIVE,
    programme_code: str | None = None,
) -> EnterpriseContract:
    """R-PE-1..3, R-PE-8: a contract with its categories and, when active, its upfront order
    (a numbered document), under an account-wide programme (``programme_code``; default:
    the default account-wide programme). Options the programme does not offer are
    refused (R-PRG-1)."""
    require_csm(actor)
    try:
        prog = load_programme(programme_code) if programme_code else programme_of()
    except ProgrammeError:
        raise ValidationError(
            {"programme_code": _("No programme %(code)s.") % {"code": repr(programme_code)}}
        ) from None
    if prog.kind != ProgrammeKind.ACCOUNT_WIDE:
        raise ValidationError(
            {
                "programme_code": _("%(programme)s is not an account-wide programme.")
                % {"programme": prog.name}
            }
        )
    end_date = end_date or default_end(start_date, prog.default_term_months)
    errors: dict[str, Any] = {}
    chosen = {
        "extra_csm_block": bool(extra_csm_blocks),
        "technical_account_management": technical_account_management,
        "onsite_destruction": onsite_destruction,
    }
    for option, wanted in chosen.items():
        if wanted and option not in prog.options:
            field = "extra_csm_blocks" if option == "extra_csm_block" else option
            errors[field] = _("%(programme)s does not offer this option.") % {
                "programme": prog.name
            }
    if account.kind != OrganisationKind.CUSTOMER:
        errors["account"] = _("A contract covers a customer account.")
    if end_date <= start_date:
        errors["end_date"] = _("The term must end after it starts.")
    if (
        distribution_partner is not None
        and distribution_partner.kind != OrganisationKind.DISTRIBUTION_PARTNER
    ):
        errors["distribution_partner"] = _("Choose a distribution partner.")
    if not (0 <= Decimal(professional_services_discount) <= 100):
        errors["professional_services_discount"] = _("A percentage between 0 and 100.")
    if proration_basis not in ("", "monthly", "daily"):
        errors["proration_basis"] = _("monthly or daily.")
    try:
        currency = clean_currency(currency or account.currency)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    overlapping = EnterpriseContract.objects.filter(
        account=account,
        status__in=[ContractStatus.ACTIVE],
        start_date__lte=end_date,
        end_date__gte=start_date,
    )
    if previous is not None:
        overlapping = overlapping.exclude(pk=previous.pk)
    if status == ContractStatus.ACTIVE and overlapping.exists():
        errors["start_date"] = _("The account already has an active contract in that term.")
    if errors:
        raise ValidationError(errors)
    cats = _validate_categories(categories, prog)
    # R-CAT-1 / R-MON-1: every counted model of the chosen categories must be sold in the
    # contract's currency (MissingPrice names the model and the currency otherwise).
    try:
        unit_prices(account.pk, min(start_date, timezone.localdate()), currency, set(cats))
    except ValidationError as exc:
        raise ValidationError({"currency": exc.messages}) from None
    band = prog.band if prog.band is not None else band_of()
    contract = EnterpriseContract.objects.create(
        programme_code=prog.code,
        account=account,
        reference=_reference(account, start_date),
        start_date=start_date,
        end_date=end_date,
        currency=currency,
        status=status,
        distribution_partner=distribution_partner,
        csm=actor,
        professional_services_discount=professional_services_discount,
        extra_csm_blocks=extra_csm_blocks,
        technical_account_management=technical_account_management,
        onsite_destruction=onsite_destruction,
        proration_basis=proration_basis,
        previous=previous,
    )
    for c in categories:
        ordered = pe.ordered(c.installed, c.growth)
        cc = ContractCategory.objects.create(
            contract=contract,
            category=cats[c.code],
            installed=c.installed,
            growth=c.growth,
            ordered=ordered,
            baseline=pe.baseline(ordered, band),
            unit_price=Decimal(c.unit_price),
        )
        BaselineChange.objects.create(
            contract_category=cc,
            effective_from=start_date,
            ordered=ordered,
            baseline=cc.baseline,
            reason="term_start",
        )
    log_change(contract, "contract.created", actor=actor)
    if status == ContractStatus.ACTIVE:
        _issue_upfront_order(contract, actor)
    return contract


def _issue_upfront_order(contract: EnterpriseContract, user: Any) -> None:
    prog = programme_of(contract)
    with in_language_of(contract.account):
        title = titles.PE_UPFRONT.message(reference=contract.reference)
    lines = _upfront_lines(contract, prog)
    doc = create_document(
        kind="order",
        purpose="pe_upfront_order",
        programme=contract.programme_code,
        account=contract.account,
        currency=contract.currency,
        title=title,
        lines=lines,
        actor=user,
        source_key=f"pe-upfront:{contract.pk}",
        period=(contract.start_date, contract.end_date),
    )
    issue_document(doc, actor=user)
    contract.upfront_order = doc
    contract.save(update_fields=["upfront_order", "updated_at"])


def in_force_figures(contract: EnterpriseContract, on: date) -> dict[int, BaselineChange]:
    """Ordered and baseline in force on ``on`` per contract category id (baseline history)."""
    out: dict[int, BaselineChange] = {}
    for bc in BaselineChange.objects.filter(
        contract_category__contract=contract, effective_from__lte=on
    ).order_by("effective_from", "id"):
        out[bc.contract_category_id] = bc
    return out
