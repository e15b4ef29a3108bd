"""Uploaded inventory files: kept for the import, checksummed."""

from __future__ import annotations

import hashlib
import shutil
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
    """Keep an uploaded file (Django UploadedFile or a path) on disk for the import."""
    suffix = (
        ".xlsx" if str(getattr(uploaded, "name", uploaded)).lower().endswith(".xlsx") else ".csv"
    )
    target = _upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    if isinstance(uploaded, str | Path):
        shutil.copyfile(uploaded, target)
    else:
        with open(target, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
    return target


def _check_file_name(name: str) -> None:
    lower = name.lower()
    if not (lower.endswith(".csv") or lower.endswith(".xlsx") or lower.endswith(".txt")):
        raise ValidationError({"file": _("Send a CSV or XLSX file.")})
