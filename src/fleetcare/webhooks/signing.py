"""Signatures as Stripe does them: ``Fleetcare-Signature: t=<unix time>,v1=<hex>`` where
``v1`` is HMAC-SHA256, keyed with the endpoint's secret, of ``"<t>.<raw body>"``.

A receiver recomputes it over the raw body it got, compares in constant time, and
refuses a timestamp older than a few minutes (replays)."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Fleetcare-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, t, body)}"


def verify(
    header: str, secret: str, body: bytes, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a receiver does (and what the tests do): True when the header is genuine."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, t, body))
