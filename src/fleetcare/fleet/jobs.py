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
