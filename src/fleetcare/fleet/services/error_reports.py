"""The full error report of a refused import (R-FLT-4): pages and answers list the first
1,000 problems with the total; every problem is kept, as codes and parameters (JSON
lines), through Django's storage API, and served as a CSV worded in the reader's
language, to the account's people only (another tenant's report is a 404)."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage

from fleetcare.core.exports import csv_stream
from fleetcare.fleet import importing
from fleetcare.fleet.importing.messages import reason_text
from fleetcare.fleet.models import ErrorReport, InventorySnapshot

REPORT_DIR = "import-errors"
REPORT_COLUMNS = ("row", "column", "code", "message", "value")


def save_report(
    *,
    actor: Any,
    account: Any,
    errors: Iterable[dict[str, Any]],
    file_name: str = "",
    snapshot: InventorySnapshot | None = None,
) -> ErrorReport | None:
    """Keep every problem of ``errors`` (an ErrorLog keeps the ones past the listed) for
    the account's error report; None without an account or a problem."""
    log = importing.error_log(errors)
    if account is None or not log.total:
        return None
    with tempfile.TemporaryFile() as fh:
        for error in log.every():
            fh.write((json.dumps(error) + "\n").encode())
        fh.seek(0)
        name = default_storage.save(f"{REPORT_DIR}/{uuid.uuid4().hex}.jsonl", File(fh))
    return ErrorReport.objects.create(
        account_id=getattr(account, "pk", account),
        snapshot=snapshot,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        file_name=(file_name or "")[:200],
        total=log.total,
        storage_name=name,
    )


def report_for(*, actor: Any, report_id: int) -> ErrorReport:
    """The report, if ``actor`` may see its account (else Http404)."""
    from fleetcare.core.tenancy import get_visible_or_404

    return get_visible_or_404(ErrorReport.objects.all(), actor, pk=report_id)


def _problems(report: ErrorReport) -> Iterator[dict[str, Any]]:
    with default_storage.open(report.storage_name, "rb") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def report_csv(*, actor: Any, report_id: int) -> tuple[ErrorReport, Iterator[str]]:
    """The report as CSV chunks (row, column, code, message in the active language, value
    cut short), streamed from the storage."""
    from django.utils import translation

    report = report_for(actor=actor, report_id=report_id)
    language = translation.get_language()

    def rows() -> Iterator[tuple[Any, ...]]:
        with translation.override(language):  # streamed after the view has returned
            for e in _problems(report):
                yield (
                    e.get("row"),
                    e.get("column", ""),
                    e.get("code", ""),
                    reason_text(e),
                    e.get("value", ""),
                )

    return report, csv_stream(REPORT_COLUMNS, rows())


def delete_old_reports(now: Any) -> dict[str, Any]:
    """Error reports older than FLEET_IMPORT_ERROR_REPORT_DAYS go, file and row."""
    from datetime import timedelta

    from django.conf import settings

    cutoff = now - timedelta(days=int(settings.FLEET_IMPORT_ERROR_REPORT_DAYS))
    old = list(ErrorReport.objects.filter(created_at__lt=cutoff).values_list("pk", "storage_name"))
    for _pk, name in old:
        default_storage.delete(name)
    ErrorReport.objects.filter(pk__in=[pk for pk, _name in old]).delete()
    return {"deleted": len(old)}
