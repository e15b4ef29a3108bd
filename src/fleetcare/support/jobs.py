"""Periodic jobs of the support desk."""

from __future__ import annotations

from datetime import datetime

from fleetcare.core.jobs import periodic_job

from .services import mark_breaches


@periodic_job("support.sla_breaches")
def sla_breaches(now: datetime) -> dict[str, int]:
    """R-SUP-2: mark breached service levels and warn before them (idempotent)."""
    return mark_breaches(now)
