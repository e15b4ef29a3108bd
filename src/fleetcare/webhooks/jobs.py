"""Webhooks' periodic job: send every delivery whose retry is due (idempotent)."""

from __future__ import annotations

from datetime import datetime

from fleetcare.core.jobs import periodic_job

from .delivery import send_due


@periodic_job("webhooks.retry_due")
def retry_due(now: datetime) -> dict[str, int]:
    return send_due(now)
