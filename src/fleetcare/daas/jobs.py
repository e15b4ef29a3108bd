"""DaaS's periodic job: the month-end partner invoices (R-DS-7). The job keeps its name."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from fleetcare.core.jobs import periodic_job
from fleetcare.daas.invoicing import daas_invoices_catch_up


@periodic_job("billing.daas_monthly_invoices")
def daas_monthly_invoices(now: datetime) -> dict[str, int]:
    """Invoice each partner for every completed month not yet invoiced (idempotent)."""
    return daas_invoices_catch_up(timezone.localdate(now))
