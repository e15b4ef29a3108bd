"""Catalogue use cases: publish software and documents as files, open them for an
entitled reader (R-POR-1, R-SW-1), the latest release of each model."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from fleetcare.core.changelog import changelog
from fleetcare.core.permissions import require
from fleetcare.rules import software as rules

from . import entitlement, permissions
from .models import FirmwareRelease, ProductDocument, ProductModel, StoredFile

CHUNK = 1 << 16


class NotEntitled(PermissionDenied):
    """A download refused: carries the decision (its reason code and parameters)."""

    def __init__(self, decision: rules.Decision) -> None:
        self.decision = decision
        super().__init__(entitlement.explain(decision))


def _digest(handle: IO[bytes]) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        h.update(chunk)
        size += len(chunk)
    return size, h.hexdigest()


def _safe_name(name: str) -> str:
    base = PurePath(str(name).replace("\\", "/")).name.strip()
    if not base or base in {".", ".."}:
        raise ValidationError({"file": _("The file has no name.")})
    return base[:200]


def attach_file(*, actor: Any, obj: StoredFile, upload: Any, name: str | None = None) -> StoredFile:
    """Keep ``upload`` (an uploaded file, or any binary file object) through the storage
    API as ``obj``'s file, with its size and SHA-256 (change-logged)."""
    require(actor, permissions.can_publish_software, obj, _("You may not publish software."))
    file_name = _safe_name(name or getattr(upload, "name", "") or "")
    if hasattr(upload, "seek"):
        upload.seek(0)
    size, sha = _digest(upload)
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    old = obj.file.name if obj.has_file else None
    with transaction.atomic(), changelog(obj, "catalog.file_attached", actor=actor):
        obj.file.save(file_name, File(upload, name=file_name), save=False)
        obj.file_name, obj.file_size, obj.sha256 = file_name, size, sha
        obj.save()
    if old and old != obj.file.name:
        transaction.on_commit(lambda: obj.file.storage.delete(old))
    return obj


def publish_firmware(
    *,
    actor: Any,
    product_model: ProductModel,
    version: str,
    released_on: date,
    notes: str = "",
    upload: Any = None,
) -> FirmwareRelease:
    """R-SW-1: a firmware release of a model, with its file (the same version twice is
    refused)."""
    require(actor, permissions.can_publish_software, None, _("You may not publish software."))
    version = (version or "").strip()
    if not version:
        raise ValidationError({"version": _("Give the version.")})
    if FirmwareRelease.objects.filter(product_model=product_model, version=version).exists():
        raise ValidationError(
            {
                "version": _("%(sku)s already has a release %(version)s.")
                % {"sku": product_model.sku, "version": version}
            }
        )
    with transaction.atomic():
        release = FirmwareRelease(
            product_model=product_model, version=version, released_on=released_on, notes=notes
        )
        with changelog(release, "catalog.firmware_published", actor=actor):
            release.full_clean(exclude=["file"])
            release.save()
        if upload is not None:
            attach_file(actor=actor, obj=release, upload=upload)
    return release


def add_document(
    *,
    actor: Any,
    product_model: ProductModel,
    kind: str,
    title: str,
    language: str = "en",
    upload: Any = None,
) -> ProductDocument:
    """R-POR-1: a product document, with its file."""
    require(actor, permissions.can_publish_software, None, _("You may not publish documents."))
    with transaction.atomic():
        document = ProductDocument(
            product_model=product_model, kind=kind, title=(title or "").strip(), language=language
        )
        with changelog(document, "catalog.document_added", actor=actor):
            document.full_clean(exclude=["file"])
            document.save()
        if upload is not None:
            attach_file(actor=actor, obj=document, upload=upload)
    return document


@dataclass(frozen=True)
class Download:
    """An opened file for an entitled reader: stream ``handle`` and close it."""

    handle: IO[bytes]
    name: str
    size: int
    sha256: str
    decision: rules.Decision


def open_download(*, actor: Any, obj: StoredFile) -> Download:
    """R-POR-1: the file of a release or document, for an entitled reader only
    (:class:`NotEntitled` says why not). A record without a file is a 404 for the caller
    (``FileNotFoundError``)."""
    model = obj.product_model  # type: ignore[attr-defined]
    decision = entitlement.download_decision(actor, model)
    if not decision.entitled:
        raise NotEntitled(decision)
    if not obj.has_file:
        raise FileNotFoundError(obj.pk)
    handle = obj.file.storage.open(obj.file.name, "rb")
    return Download(
        handle, obj.file_name or PurePath(obj.file.name).name, obj.file_size, obj.sha256, decision
    )


def latest_versions(model_ids: Iterable[int] | None = None) -> dict[int, str]:
    """R-SW-1: the latest release's version of each model (by release date, then id),
    in one query over the (small) release table."""
    qs = FirmwareRelease.objects.all()
    if model_ids is not None:
        qs = qs.filter(product_model_id__in=list(model_ids))
    out: dict[int, str] = {}
    for model_id, version in qs.order_by("product_model_id", "-released_on", "-id").values_list(
        "product_model_id", "version"
    ):
        out.setdefault(model_id, version)
    return out


def latest_releases(model_ids: Iterable[int]) -> dict[int, FirmwareRelease]:
    out: dict[int, FirmwareRelease] = {}
    for release in FirmwareRelease.objects.filter(product_model_id__in=list(model_ids)).order_by(
        "product_model_id", "-released_on", "-id"
    ):
        out.setdefault(release.product_model_id, release)
    return out
