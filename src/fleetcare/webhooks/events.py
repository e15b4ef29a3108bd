"""Events: what services announce, for webhooks and e-mail notifications.

A service calls, inside its transaction::

    from fleetcare.webhooks import events
    events.emit("replacement.shipped", [order.account_id, order.partner_id], {...})

or one of the helpers in :mod:`fleetcare.webhooks.payloads` that build the payload and
the organisations for a case, an order, a document… Nothing happens until the
transaction commits (``transaction.on_commit``): then each active endpoint of those
organisations that asked for the event gets a signed delivery (a Celery task), and the
listeners registered with :func:`listener` (e.g. e-mails) are called. The vendor's own
endpoints get every event (vendor staff see every tenant, R-TEN-1); no other
organisation ever gets another's events.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

EVENTS: dict[str, Any] = {
    "case.created": _("A case was opened"),
    "case.updated": _("A case changed (a reply, its status or its severity)"),
    "case.solved": _("A case was solved"),
    "replacement.approved": _("A replacement was approved"),
    "replacement.shipped": _("A replacement was shipped (carrier, tracking)"),
    "replacement.delivered": _("A replacement was delivered"),
    "replacement.overdue": _("A defective unit was not returned in time"),
    "document.issued": _("A money document was issued (quote, order, invoice, charge)"),
    "adjustment.quoted": _("A mid-term adjustment was quoted"),
    "import.finished": _("A fleet import finished"),
}

Listener = Callable[[str, list[int], dict[str, Any]], None]
_listeners: dict[str, list[Listener]] = {}
_discovered = False


def listener(*event_names: str) -> Callable[[Listener], Listener]:
    """Register ``func(event, organisation_ids, payload)``, called after commit."""

    def decorator(func: Listener) -> Listener:
        for name in event_names:
            if name not in EVENTS:
                raise ValueError(f"Unknown event {name!r}")
            if func not in _listeners.setdefault(name, []):
                _listeners[name].append(func)
        return func

    return decorator


def _discover() -> None:
    """Import every app's ``event_listeners`` module (they register with @listener)."""
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        if config.name.startswith("fleetcare."):
            try:
                importlib.import_module(f"{config.name}.event_listeners")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.event_listeners":
                    raise
    _discovered = True


def emit(event_name: str, organisation_ids: Iterable[int | None], payload: dict[str, Any]) -> None:
    """Announce ``event_name`` to ``organisation_ids`` once the transaction commits."""
    if event_name not in EVENTS:
        raise ValueError(f"Unknown event {event_name!r}")
    ids = sorted({i for i in organisation_ids if i})
    transaction.on_commit(lambda: dispatch(event_name, ids, payload))


def emit_each(event_name: str, items: list[tuple[int, dict[str, Any]]]) -> None:
    """:func:`emit` of one event for many (organisation, payload) pairs (one per snapshot
    of a large import): one dispatch after commit, the endpoints looked up once."""
    if event_name not in EVENTS:
        raise ValueError(f"Unknown event {event_name!r}")
    if items:
        transaction.on_commit(lambda: dispatch_each(event_name, list(items)))


def dispatch_each(event_name: str, items: list[tuple[int, dict[str, Any]]]) -> None:
    """After commit: what :func:`dispatch` does for each pair, the deliveries in bulk."""
    from fleetcare.webhooks import delivery, tasks

    try:
        for pk in delivery.queue_each(event_name, items):
            tasks.send_delivery.delay(pk)
    except Exception:  # noqa: BLE001 - logged; the change itself is committed
        logger.exception("Queuing webhooks for %s failed", event_name)
    _discover()
    for func in _listeners.get(event_name, []):
        for org, payload in items:
            try:
                func(event_name, [org], payload)
            except Exception:  # noqa: BLE001
                logger.exception("Listener %s for %s failed", func.__qualname__, event_name)


def dispatch(event_name: str, organisation_ids: list[int], payload: dict[str, Any]) -> None:
    """After commit: webhook deliveries, then listeners. A failing receiver or listener
    never breaks the others (nor the request that committed)."""
    from fleetcare.webhooks import delivery, tasks

    try:
        for pk in delivery.queue(event_name, organisation_ids, payload):
            tasks.send_delivery.delay(pk)
    except Exception:  # noqa: BLE001 - logged; the change itself is committed
        logger.exception("Queuing webhooks for %s failed", event_name)
    _discover()
    for func in _listeners.get(event_name, []):
        try:
            func(event_name, organisation_ids, payload)
        except Exception:  # noqa: BLE001
            logger.exception("Listener %s for %s failed", func.__qualname__, event_name)
