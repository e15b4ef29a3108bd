"""Case attachments: size, type sniffed from the content, stored through the case (R-SUP-1)."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.changelog import log_change
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.support.models import (
    Attachment,
    Case,
    CaseEvent,
    EventKind,
)
from fleetcare.support.services.common import _event, _may_work_as_requester_side, is_agent

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


ALLOWED_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".zip": "application/zip",
}


_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
}


def sniff_content_type(name: str, head: bytes) -> str:
    """R-SUP-1 attachments: the type allowed by the extension AND confirmed by the bytes.

    Raises ValidationError naming the file and the problem."""
    ext = PurePath(name).suffix.lower()
    expected = ALLOWED_EXTENSIONS.get(ext)
    if expected is None:
        allowed = ", ".join(sorted(ALLOWED_EXTENSIONS))
        raise ValidationError(
            {
                "file": _("%(name)s: type %(ext)s is not allowed (allowed: %(allowed)s).")
                % {"name": name, "ext": ext or _("(none)"), "allowed": allowed}
            }
        )
    if expected == "text/plain":
        ok = b"\x00" not in head
        if ok:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                # a multi-byte character may be cut at the end of the sniffed head
                ok = exc.start >= len(head) - 3
    else:
        ok = any(head.startswith(m) for m in _MAGIC[expected])
    if not ok:
        raise ValidationError(
            {"file": _("%(name)s: the content is not a %(ext)s file.") % {"name": name, "ext": ext}}
        )
    return expected


def _store_attachment(case: Case, upload: Any, actor: Any, event: CaseEvent | None) -> Attachment:
    name = PurePath(getattr(upload, "name", "") or "file").name[:200]
    size = getattr(upload, "size", None)
    if size is None:
        raise ValidationError({"file": _("%(name)s: unknown size.") % {"name": name}})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s bytes; the limit is %(limit)s bytes (10 MB).")
                % {"name": name, "size": size, "limit": MAX_ATTACHMENT_BYTES}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniff_content_type(name, head)
    att = Attachment(
        case=case,
        event=event,
        original_name=name,
        content_type=content_type,
        size=size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    att.file.save(name, upload, save=False)
    att.save()
    return att


def validate_uploads(uploads: list[Any]) -> None:
    """Check every upload before anything is saved (names every bad file)."""
    errors: list[str] = []
    for upload in uploads:
        name = PurePath(getattr(upload, "name", "") or "file").name
        size = getattr(upload, "size", 0) or 0
        try:
            if size > MAX_ATTACHMENT_BYTES:
                raise ValidationError(
                    _("%(name)s is %(size)s bytes; the limit is %(limit)s bytes (10 MB).")
                    % {"name": name, "size": size, "limit": MAX_ATTACHMENT_BYTES}
                )
            upload.seek(0)
            head = upload.read(2048)
            upload.seek(0)
            sniff_content_type(name, head)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"file": errors})


@transaction.atomic
def add_attachments(case: Case, *, actor: Any, uploads: list[Any], now: datetime | None = None):
    now = now or timezone.now()
    case = get_visible_or_404(Case, actor, pk=case.pk)
    if not is_agent(actor) and not _may_work_as_requester_side(actor, case):
        raise PermissionDenied(_("You may not add files to this case."))
    if not uploads:
        raise ValidationError({"file": _("Choose a file.")})
    validate_uploads(uploads)
    event = _event(case, EventKind.ATTACHMENT, actor, now, body=", ".join(u.name for u in uploads))
    stored = [_store_attachment(case, u, actor, event) for u in uploads]
    log_change(case, "support.case_attachment", actor=actor)
    return stored


def visible_attachment(user: Any, attachment_id: int) -> Attachment:
    """An attachment only for who may see its case (internal notes' files: staff only)."""
    att = get_visible_or_404(
        Attachment.objects.select_related("case", "event"), user, pk=attachment_id
    )
    get_visible_or_404(Case, user, pk=att.case_id)
    if att.event is not None and att.event.internal and not scope_of(user).is_vendor:
        from django.http import Http404

        raise Http404("No attachment matches the given query.")
    return att
