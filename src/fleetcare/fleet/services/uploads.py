"""Uploaded inventory files: kept for the import, checksummed."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.translation import gettext as _


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# Uploads go through Django's storage API (``default_storage``), so a shared store
# (S3-compatible, NFS) serves every app server and worker. An upload is referred to by
# "storage:<name>"; any other reference is a local path (``fleetcare import-fleet FILE``).
STORED_PREFIX = "storage:"


def store_upload(uploaded: Any) -> str:
    """Keep an uploaded file (Django UploadedFile or a path) in the storage for the import."""
    suffix = (
        ".xlsx" if str(getattr(uploaded, "name", uploaded)).lower().endswith(".xlsx") else ".csv"
    )
    name = f"imports/{uuid.uuid4().hex}{suffix}"
    if isinstance(uploaded, str | Path):
        with open(uploaded, "rb") as fh:
            return STORED_PREFIX + default_storage.save(name, File(fh))
    return STORED_PREFIX + default_storage.save(name, uploaded)


@contextmanager
def local_path(ref: str | Path) -> Iterator[Path]:
    """A local file to read the upload from: the file itself on a local file system, a
    temporary copy (gone afterwards) from a remote store."""
    ref = str(ref)
    if not ref.startswith(STORED_PREFIX):
        yield Path(ref)
        return
    name = ref.removeprefix(STORED_PREFIX)
    if isinstance(default_storage, FileSystemStorage):  # read in place
        yield Path(default_storage.path(name))
        return
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as tmp:
        with default_storage.open(name, "rb") as source:
            shutil.copyfileobj(source, tmp)
        tmp.flush()
        yield Path(tmp.name)


def discard_upload(ref: str | Path) -> None:
    """Delete a kept upload (a stored one from the storage, a local one from disk)."""
    ref = str(ref)
    if ref.startswith(STORED_PREFIX):
        default_storage.delete(ref.removeprefix(STORED_PREFIX))
    else:
        Path(ref).unlink(missing_ok=True)


def _check_file_name(name: str) -> None:
    lower = name.lower()
    if not (lower.endswith(".csv") or lower.endswith(".xlsx") or lower.endswith(".txt")):
        raise ValidationError({"file": _("Send a CSV or XLSX file.")})
