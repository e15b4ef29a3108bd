"""Uploads go through Django's storage API: the local file system by default, any
shared store (here Django's in-memory one, which has no local path) by settings alone."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from fleetcare.fleet import services
from fleetcare.fleet.models import InventorySnapshot
from tests.factories import fleet_csv, upload

pytestmark = pytest.mark.django_db


def _files_under(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_is_kept_in_the_local_storage_then_removed(models, admin_api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ref = services.store_upload(_write(tmp_path))
    assert ref.startswith("storage:imports/") and ref.endswith(".csv")
    assert default_storage.exists(ref.removeprefix("storage:"))
    assert (tmp_path / ref.removeprefix("storage:")).is_file()  # under MEDIA_ROOT
    services.discard_upload(ref)
    assert not default_storage.exists(ref.removeprefix("storage:"))

    r = upload(admin_api, fleet_csv({"STUDIO-X50": 2}), as_of="2026-02-01")
    assert r.status_code == 201, r.content
    assert _files_under(tmp_path / "imports") == []


def _write(tmp_path):
    path = tmp_path / "source" / "fleet.csv"
    path.parent.mkdir()
    path.write_bytes(fleet_csv({"STUDIO-X50": 1}))
    return path


@pytest.fixture
def shared_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    yield tmp_path / "media"


def test_a_shared_store_replaces_var_media_by_settings(models, admin_api, shared_store):
    r = upload(admin_api, fleet_csv({"STUDIO-X50": 3}), as_of="2026-02-01")
    assert r.status_code == 201, r.content
    assert r.json()["snapshots"][0]["device_count"] == 3
    assert _files_under(shared_store) == []  # nothing touched the local disk


def test_a_background_import_reads_its_file_back_from_the_store(
    models, customer, customer_user, shared_store
):
    ref = services.store_upload(_write(shared_store.parent))
    outcome = services.import_file(
        actor=customer_user, account=customer, path=ref, file_name="fleet.csv", background=True
    )
    snapshot = InventorySnapshot.objects.get(pk=outcome.snapshots[0].pk)
    assert outcome.background and snapshot.status == "done", snapshot.errors
    assert snapshot.device_count == 1
    assert not default_storage.exists(ref.removeprefix("storage:"))  # discarded after use
    assert _files_under(shared_store) == []
