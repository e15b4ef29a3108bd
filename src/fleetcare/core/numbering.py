"""Reference numbers (replacement orders, DaaS subscriptions, cases) from locked series.

``next_reference`` takes the next value of a series under a row lock (SELECT … FOR
UPDATE) inside the caller's transaction, as billing does for its document numbers: two
requests at once never get the same reference, and a rolled-back request gives its
number back. Each series starts from the highest reference that existed when it was
introduced (a data migration in the app that owns it).
"""

from __future__ import annotations

from django.db import transaction

from fleetcare.core.models import ReferenceSeries

# code → (prefix, width) of each series in use.
REPLACEMENT_ORDER = "replacement_order"
DAAS_SUBSCRIPTION = "daas_subscription"
SUPPORT_CASE = "support_case"
FORMATS = {
    REPLACEMENT_ORDER: ("RMA-", 6),
    DAAS_SUBSCRIPTION: ("DAAS-", 6),
    SUPPORT_CASE: ("CASE-", 6),
}


def format_reference(prefix: str, value: int, width: int) -> str:
    return f"{prefix}{value:0{width}d}"


def next_reference(code: str, prefix: str | None = None, width: int | None = None) -> str:
    """The next reference of series ``code`` (``prefix`` + the number on ``width`` digits).

    Must run inside the caller's transaction: the lock is held until it commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_reference must run inside the caller's transaction.")
    default_prefix, default_width = FORMATS.get(code, (None, 6))
    prefix = default_prefix if prefix is None else prefix
    if prefix is None:
        raise ValueError(f"Series {code!r} has no known prefix; pass one.")
    width = default_width if width is None else width
    ReferenceSeries.objects.get_or_create(code=code)
    series = ReferenceSeries.objects.select_for_update().get(code=code)
    series.last_value += 1
    series.save(update_fields=["last_value"])
    return format_reference(prefix, series.last_value, width)
