"""Software entitlements as pure rules (R-POR-1, R-PE-8, R-SW-1).

Who may download a model's firmware and documents, whether an account's device-management
premium features are on, whether a device runs its model's latest firmware, and a
licence's used and free counts. The callers gather the facts (which contract is in
force, which device term runs); these functions decide and return reason *codes* with
parameters, never sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Download decisions: why entitled, or why not.
BY_VENDOR = "vendor"  # vendor staff always
BY_CONTRACT = "contract"  # an account-wide contract in force with software updates
BY_TERM = "term"  # a device term in force with software updates, for a device of the model
END_USER = "end_user"  # a DaaS customer's end user: software comes from their partner or IT
NO_ENTITLEMENT = "no_entitlement"  # no contract in force, no device term for the model
NOT_SIGNED_IN = "not_signed_in"

# Premium features
PREMIUM_CONTRACT = "contract"
PREMIUM_NO_CONTRACT = "no_contract"

# Firmware status of a device
LATEST = "latest"
OUTDATED = "outdated"
UNKNOWN = "unknown"  # the inventory did not report a version
NO_RELEASE = "no_release"  # the model has no published release

# Licence states
VALID = "valid"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"


@dataclass(frozen=True)
class Decision:
    """Entitled or not, with the reason code and its parameters."""

    entitled: bool
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


def decide_download(
    *,
    signed_in: bool = True,
    vendor_staff: bool,
    end_user: bool,
    contract_reference: str | None,
    term_reference: str | None,
    sku: str,
) -> Decision:
    """R-POR-1: software and documents are for entitled users only.

    Vendor staff always; otherwise the reader's account has an account-wide contract in
    force whose programme brings software updates (``contract_reference``), or a device
    of the model under a per-device term in force whose programme does (``term_reference``).
    A DaaS customer's end user is never entitled: their partner or IT administrator is.
    """
    if not signed_in:
        return Decision(False, NOT_SIGNED_IN, {"sku": sku})
    if vendor_staff:
        return Decision(True, BY_VENDOR, {"sku": sku})
    if end_user:
        return Decision(False, END_USER, {"sku": sku})
    if contract_reference:
        return Decision(True, BY_CONTRACT, {"sku": sku, "reference": contract_reference})
    if term_reference:
        return Decision(True, BY_TERM, {"sku": sku, "reference": term_reference})
    return Decision(False, NO_ENTITLEMENT, {"sku": sku})


def decide_premium(*, contract_reference: str | None, until: date | None) -> Decision:
    """R-PE-8: the premium device-management features are on while an account-wide
    contract whose programme brings them is in force."""
    if contract_reference:
        return Decision(
            True,
            PREMIUM_CONTRACT,
            {"reference": contract_reference, "until": until.isoformat() if until else None},
        )
    return Decision(False, PREMIUM_NO_CONTRACT, {})


def firmware_status(version: str, latest: str | None) -> str:
    """R-SW-1: ``latest`` when a device reports its model's latest release, ``outdated``
    for any other reported version, ``unknown`` when none is reported."""
    if not latest:
        return NO_RELEASE
    reported = (version or "").strip()
    if not reported:
        return UNKNOWN
    return LATEST if reported == latest else OUTDATED


def share(part: int, whole: int) -> float:
    """``part`` as a percentage of ``whole``, one decimal (0 for an empty whole)."""
    return round(part * 100.0 / whole, 1) if whole else 0.0


def licence_state(valid_from: date, valid_until: date | None, on: date) -> str:
    if on < valid_from:
        return NOT_YET_VALID
    if valid_until is not None and on > valid_until:
        return EXPIRED
    return VALID


def free_seats(quantity: int, used: int) -> int:
    """R-POR-1: free = quantity − used, never below zero (over-use is shown as such)."""
    return max(quantity - used, 0)


def over_used(quantity: int, used: int) -> int:
    """Seats used beyond the quantity (0 when within)."""
    return max(used - quantity, 0)
