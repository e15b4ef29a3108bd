"""Demo money documents: last month's DaaS partner invoices (issued), a paid-options order
and a professional-services quote at the contract discount. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import models

from fleetcare.contracts import options as contract_options
from fleetcare.contracts.models import EnterpriseContract
from fleetcare.core.currency import format_money
from fleetcare.daas import invoicing as daas_invoicing

from .models import Document, DocumentStatus
from .services import issue_document


def _say(out: Any, text: str) -> None:
    if out is not None:
        out.write(text + "\n")


def load(ctx: Any, out: Any = None) -> None:
    last_month = (ctx.today.replace(day=1) - timedelta(days=1)).replace(day=1)
    docs = daas_invoicing.raise_daas_monthly_invoices(last_month, actor=ctx.users["billing"])
    for doc in docs:
        _say(
            out,
            f"  DaaS invoice {doc.number} for {doc.addressed_to}: {format_money(doc.total, doc.currency, 'en')}",
        )
    # Every in-force contract with paid options has its options order (Acme's extra CSM
    # block included).
    for with_options in EnterpriseContract.objects.in_force(ctx.today).filter(
        models.Q(extra_csm_blocks__gt=0)
        | models.Q(technical_account_management=True)
        | models.Q(onsite_destruction=True)
    ):
        contract_options.raise_options_order(with_options, actor=ctx.users["billing"])
    contract = (
        EnterpriseContract.objects.filter(onsite_destruction=True)
        .in_force(ctx.today)
        .order_by("id")
        .first()
    )
    if contract is not None:
        contract_options.raise_options_order(contract, actor=ctx.users["billing"])
        # The title is in the recipient's language: find the quote by purpose instead.
        if not Document.objects.filter(
            purpose="professional_services",
            account=contract.account,
            title__endswith=contract.reference,
        ).exists():
            if not contract.professional_services_discount:
                EnterpriseContract.objects.filter(pk=contract.pk).update(
                    professional_services_discount=Decimal("10")
                )
                contract.refresh_from_db()
            quote = contract_options.raise_professional_services_quote(
                contract,
                actor=ctx.users["billing"],
                description="Room acoustics workshop",
                hours=12,
            )
            # Issued: the distributor finds it on its home page (the other drafts stay
            # for billing to issue).
            if quote is not None and quote.status == DocumentStatus.DRAFT:
                issue_document(quote, actor=ctx.users["billing"])
