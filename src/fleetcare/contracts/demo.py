"""Demo Poly+ Enterprise contracts (idempotent): Acme's video count has crossed the band,
so the month-end check leaves a pending adjustment; Globex is within its baseline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fleetcare.rules.enterprise import add_months

from . import services
from .models import EnterpriseContract

# customer → growth per category agreed at term start (small for Acme video: it crosses)
GROWTH = {
    "acme": {"video": 1, "voice": 10, "personal": 40},
    "globex": {"video": 5, "voice": 15, "personal": 30},
    # Initech is a security-minded customer: on-site destruction of replaced units (R-RMA-6).
    "initech": {"video": 3, "voice": 10, "personal": 20},
}


def load(ctx: Any, out: Any = None) -> None:
    csm = ctx.users.get("csm")
    if csm is None:
        return
    start = add_months(ctx.today.replace(day=1), -9)
    for key, growth in GROWTH.items():
        account = ctx.customers.get(key)
        if account is None or EnterpriseContract.objects.filter(account=account).exists():
            continue
        proposal = services.propose_contract(actor=csm, account=account, start_date=start)
        categories = [
            services.CategoryInput(c.code, c.installed, growth.get(c.code, c.growth), c.unit_price)
            for c in proposal.categories
            if c.installed
        ]
        contract = services.create_contract(
            actor=csm,
            account=account,
            start_date=start,
            categories=categories,
            distribution_partner=ctx.distributor,
            extra_csm_blocks=1 if key == "acme" else 0,
            technical_account_management=key == "globex",
            onsite_destruction=key == "initech",
            professional_services_discount=Decimal("15") if key == "initech" else Decimal("0"),
        )
        if out is not None:
            out.write(f"contracts: {contract.reference} for {account.name}\n")
    opened = services.detect_adjustments(ctx.today if isinstance(ctx.today, date) else ctx.today)
    if out is not None and opened:
        out.write(f"contracts: {len(opened)} adjustment(s) pending\n")
