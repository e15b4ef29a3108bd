"""One-line emitters for services: the payload and the organisations of each record.

Each reads only attributes (no import of the apps that call it, so no import cycle).
Payloads hold codes, ids and dates, never a sentence: the receiver renders them.
"""

from __future__ import annotations

from typing import Any

from . import events


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def case(event: str, case: Any, **extra: Any) -> None:
    """case.created / case.updated / case.solved: the account, the partner that opened
    it and the DaaS partner of its device."""
    orgs = [case.account_id, case.opened_by_partner_id]
    if getattr(case, "daas_device_id", None):
        orgs.append(case.daas_device.subscription.partner_id)
    payload = {
        "case_id": case.pk,
        "reference": case.reference,
        "account_id": case.account_id,
        "status": case.status,
        "severity": case.severity,
        "entitlement": case.entitlement,
        "product_model_id": case.product_model_id,
        **extra,
    }
    events.emit(event, orgs, payload)


def replacement(event: str, order: Any, **extra: Any) -> None:
    """replacement.*: the account and the DaaS partner of the order."""
    payload = {
        "replacement_id": order.pk,
        "reference": order.reference,
        "case_id": order.case_id,
        "account_id": order.account_id,
        "status": order.status,
        "delivery_site_id": order.delivery_site_id,
        "carrier": order.carrier or None,
        "tracking_number": order.tracking_number or None,
        "delivery_target": _iso(order.delivery_target),
        "delivered_on": _iso(order.delivered_on),
        "return_due": _iso(order.return_due),
        "overdue_since": _iso(order.overdue_since),
        **extra,
    }
    events.emit(event, [order.account_id, order.partner_id], payload)


def document(event: str, doc: Any, **extra: Any) -> None:
    """document.issued: the account and the organisation it is addressed to."""
    payload = {
        "document_id": doc.pk,
        "number": doc.number,
        "kind": doc.kind,
        "purpose": doc.purpose,
        "account_id": doc.account_id,
        "addressed_to_id": doc.addressed_to_id,
        "currency": doc.currency,
        "total": str(doc.total),
        "issued_on": _iso(doc.issued_on),
        "due_on": _iso(doc.due_on),
        **extra,
    }
    events.emit(event, [doc.account_id, doc.addressed_to_id], payload)


def adjustment(event: str, adj: Any, **extra: Any) -> None:
    """adjustment.quoted: the account and the distribution partner the quote goes to."""
    quote = adj.quote if adj.quote_id else None
    payload = {
        "adjustment_id": adj.pk,
        "contract_id": adj.contract_id,
        "account_id": adj.contract.account_id,
        "month": _iso(adj.month),
        "added": adj.added,
        "amount": str(adj.amount),
        "status": adj.status,
        "quote_id": adj.quote_id,
        **extra,
    }
    orgs = [adj.contract.account_id, quote.addressed_to_id if quote else None]
    events.emit(event, orgs, payload)


def _fleet_import_payload(snapshot: Any, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "import_id": snapshot.pk,
        "account_id": snapshot.account_id,
        "status": snapshot.status,
        "source": snapshot.source,
        "as_of": _iso(getattr(snapshot, "as_of", None)),
        **extra,
    }


def fleet_import(event: str, snapshot: Any, **extra: Any) -> None:
    """import.finished: the account whose fleet it is."""
    events.emit(event, [snapshot.account_id], _fleet_import_payload(snapshot, extra))


def fleet_imports(event: str, snapshots: list[Any]) -> None:
    """import.finished for each snapshot of one import (one per account), in one go."""
    events.emit_each(event, [(s.account_id, _fleet_import_payload(s, {})) for s in snapshots])
