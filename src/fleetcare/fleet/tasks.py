"""Background work of the fleet app (Celery; in-process when no broker is configured).

The task lives beside the import it runs (``fleet.services.imports``) so that the
services never import this module; Celery finds it here.
"""

from __future__ import annotations

from fleetcare.fleet.services.imports import import_snapshot

__all__ = ["import_snapshot"]
