"""Helpers shared by the fleet, contracts and reports tests."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fleetcare.organisations.models import ApiToken
from tests.factories import CategoryFactory, ProductModelFactory


def api(user) -> Client:
    """A client authenticated with a bearer token, as an integration would be."""
    _, raw = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def csv_bytes(
    rows: list[dict], columns=("sku", "serial_number", "site", "firmware_version", "first_seen")
) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode()


def fleet_csv(counts: dict[str, int]) -> bytes:
    """A file with ``counts[sku]`` devices without serial numbers per SKU."""
    return csv_bytes([{"sku": sku} for sku, n in counts.items() for _ in range(n)])


def upload(client: Client, content: bytes, name: str = "fleet.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    data.update({k: str(v) for k, v in fields.items() if v is not None})
    return client.post("/api/v1/fleet/imports", data)


def video_model(**kw):
    return ProductModelFactory(
        category=CategoryFactory(code="video"), pe_yearly_price=Decimal("60.00"), **kw
    )


def d(text: str) -> date:
    return date.fromisoformat(text)
