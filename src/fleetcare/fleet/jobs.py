"""Periodic jobs of the fleet app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fleetcare.core.jobs import periodic_job
from fleetcare.fleet.services.liveness import mark_stale_imports


@periodic_job("fleet.stale_imports")
def stale_imports(now: datetime) -> dict[str, Any]:
    """Background imports whose worker died (no heartbeat) are marked failed."""
    return mark_stale_imports(now)


@periodic_job("fleet.old_error_reports")
def old_error_reports(now: datetime) -> dict[str, Any]:
    """Import error reports past FLEET_IMPORT_ERROR_REPORT_DAYS are deleted."""
    from fleetcare.fleet.services.error_reports import delete_old_reports

    return delete_old_reports(now)
