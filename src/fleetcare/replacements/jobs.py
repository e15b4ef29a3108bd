"""Replacements' periodic job: overdue returns and their charges (R-RMA-4)."""

from __future__ import annotations

from datetime import datetime

from fleetcare.core.jobs import periodic_job

from .services import mark_overdue_returns


@periodic_job("replacements.overdue_returns")
def overdue_returns(now: datetime) -> dict[str, int]:
    """Orders past their return due date become overdue with a draft list-price charge."""
    return mark_overdue_returns(now)
