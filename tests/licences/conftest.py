"""Software fixtures: a model with releases and a document stored as real files."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from fleetcare.catalog import services as catalog
from tests.factories import UserFactory, voice_model


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def publisher(vendor):
    return UserFactory(organisation=vendor, role="service_operations", username="ops-pub")


@pytest.fixture
def software(db, publisher):
    """CCX 500 with releases 8.0.0 (old) and 8.1.2 (latest), each with a file, and a
    data sheet (a file too)."""
    today = timezone.localdate()
    model = voice_model(sku="CCX-500", name="CCX 500", family="CCX")
    old = catalog.publish_firmware(
        actor=publisher,
        product_model=model,
        version="8.0.0",
        released_on=today - timedelta(days=300),
        upload=_named(b"old firmware image" * 50, "ccx-500-8.0.0.bin"),
    )
    payload = b"FIRMWARE 8.1.2\n" + bytes(range(256)) * 40
    latest = catalog.publish_firmware(
        actor=publisher,
        product_model=model,
        version="8.1.2",
        released_on=today - timedelta(days=20),
        notes="Fixes.",
        upload=_named(payload, "ccx-500-8.1.2.bin"),
    )
    document = catalog.add_document(
        actor=publisher,
        product_model=model,
        kind="datasheet",
        title="CCX 500 data sheet",
        upload=_named(b"%PDF-1.4 tiny", "ccx-500.pdf"),
    )
    return {
        "model": model,
        "old": old,
        "latest": latest,
        "document": document,
        "payload": payload,
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


def _named(data: bytes, name: str) -> io.BytesIO:
    buf = io.BytesIO(data)
    buf.name = name
    return buf


@pytest.fixture
def in_force():
    """A term around today."""
    today = timezone.localdate()
    return {"start": today - timedelta(days=60), "end": today + timedelta(days=300)}
