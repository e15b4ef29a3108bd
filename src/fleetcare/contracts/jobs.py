"""Periodic jobs of the contracts app (idempotent catch-up)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from fleetcare.core.jobs import periodic_job

from .services import detect_adjustments


@periodic_job("contracts.month_end_adjustments")
def month_end_adjustments(now: datetime) -> dict:
    """R-PE-4/5: after each month end, open an adjustment wherever the count reached the
    baseline. Running it again opens nothing new."""
    opened = detect_adjustments(timezone.localdate(now) if timezone.is_aware(now) else now.date())
    return {"opened": len(opened), "adjustments": [a.pk for a in opened]}
