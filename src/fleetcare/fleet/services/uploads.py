"""Uploaded inventory files: kept for the import, checksummed."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(uploaded: Any) -> Path:
    """Keep an uploaded file (Django UploadedFile or a path) in ``default_storage`` under
    ``imports/`` for the import; the local path the readers open (filesystem storage)."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    suffix = (
        ".xlsx" if str(getattr(uploaded, "name", uploaded)).lower().endswith(".xlsx") else ".csv"
    )
    name = f"imports/{uuid.uuid4().hex}{suffix}"
    if isinstance(uploaded, str | Path):
        with open(uploaded, "rb") as fh:
            name = default_storage.save(name, File(fh))
    else:
        name = default_storage.save(name, uploaded)
    return Path(default_storage.path(name))


def discard_upload(path: str | Path | None) -> None:
    """Delete a kept upload (a duplicate, a refused file, a finished import)."""
    from django.core.files.storage import default_storage

    if not path:
        return
    path = Path(path)
    try:
        name = path.relative_to(Path(default_storage.location)).as_posix()
    except (ValueError, AttributeError):
        path.unlink(missing_ok=True)  # not under the storage (a file given by path)
        return
    default_storage.delete(name)


def _check_file_name(name: str) -> None:
    lower = name.lower()
    if not (lower.endswith(".csv") or lower.endswith(".xlsx") or lower.endswith(".txt")):
        raise ValidationError({"file": _("Send a CSV or XLSX file.")})
