"""Enter and import licences (R-POR-1): by the vendor one at a time (admin, API) or as
a licence file imported with the fleet. An import is all or nothing: every bad row is
named (row, column, what is wrong) and nothing is saved."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fleetcare.catalog.models import ProductModel
from fleetcare.core.changelog import bulk_changelog, changelog
from fleetcare.core.permissions import require
from fleetcare.licences import permissions
from fleetcare.licences.models import Licence, LicenceKind, LicenceSource

COLUMNS = ("reference", "kind", "product", "sku", "quantity", "valid_from", "valid_until")
MAX_ROWS = 10_000
MAX_QUANTITY = 10_000_000


def _refuse_unless_manager(actor: Any) -> None:
    require(actor, permissions.can_manage_licences, None, _("You may not manage licences."))


def _check_customer(account: Any) -> None:
    from fleetcare.organisations.models import OrganisationKind

    if account.kind != OrganisationKind.CUSTOMER:
        raise ValidationError({"account": _("Licences belong to customer accounts.")})


def create_licence(
    *,
    actor: Any,
    account: Any,
    reference: str,
    kind: str,
    product_name: str,
    quantity: int,
    valid_from: date,
    valid_until: date | None = None,
    product_model: ProductModel | None = None,
    source: str = LicenceSource.VENDOR,
) -> Licence:
    """One licence for ``account`` (vendor only), validated whole (every error at once)."""
    _refuse_unless_manager(actor)
    _check_customer(account)
    licence = Licence(
        account=account,
        reference=(reference or "").strip(),
        kind=kind,
        product_name=(product_name or "").strip(),
        product_model=product_model,
        quantity=quantity,
        valid_from=valid_from,
        valid_until=valid_until,
        source=source,
    )
    errors: dict[str, list[str]] = {}
    try:
        licence.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind == LicenceKind.MODEL_SOFTWARE and product_model is None:
        errors.setdefault("product_model", []).append(_("A model licence names its model."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), changelog(licence, "licence.created", actor=actor):
        licence.save()
    return licence


class LicenceImportRejected(ValidationError):
    """Bad rows: ``errors`` lists ``{"row", "column", "message", "value"}``."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__(
            [f"{_('row')} {e['row']}, {e['column']}: {e['message']}" for e in errors[:50]]
        )


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    references: list[str] = field(default_factory=list)


def licences_template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "LIC-0001",
            "premium_tier",
            "Device management premium",
            "",
            "250",
            "2026-01-01",
            "2026-12-31",
        ]
    )
    writer.writerow(
        ["LIC-0002", "model_software", "Room software", "STUDIO-X50", "40", "2026-01-01", ""]
    )
    return out.getvalue()


def _read_rows(upload: Any) -> list[dict[str, str]]:
    raw = upload.read() if hasattr(upload, "read") else bytes(upload)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LicenceImportRejected(
            [{"row": 1, "column": "file", "message": _("not UTF-8 text (CSV)"), "value": ""}]
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("reference", "product", "quantity", "valid_from") if c not in header]
    if missing:
        raise LicenceImportRejected(
            [{"row": 1, "column": c, "message": _("missing column"), "value": ""} for c in missing]
        )
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    if len(rows) > MAX_ROWS:
        raise LicenceImportRejected(
            [
                {
                    "row": MAX_ROWS + 2,
                    "column": "file",
                    "message": _("more than %(n)s rows") % {"n": MAX_ROWS},
                    "value": "",
                }
            ]
        )
    return rows


def _date(text: str) -> date:
    value = date.fromisoformat(text)
    if not 2000 <= value.year <= 2100:
        raise ValueError(text)
    return value


def _parse(rows: list[dict[str, str]], models: dict[str, ProductModel]):
    errors: list[dict[str, Any]] = []
    parsed: list[dict[str, Any]] = []
    seen: set[str] = set()
    kinds = set(LicenceKind.values)
    for number, row in enumerate(rows, start=2):

        def fail(column: str, message: str, row=row, number=number) -> None:
            errors.append(
                {"row": number, "column": column, "message": message, "value": row.get(column, "")}
            )

        reference = row.get("reference", "")
        if not reference or len(reference) > 64:
            fail("reference", _("required, at most 64 characters"))
        elif reference in seen:
            fail("reference", _("twice in the file"))
        seen.add(reference)
        sku = row.get("sku", "")
        kind = row.get("kind", "") or (
            LicenceKind.MODEL_SOFTWARE if sku else LicenceKind.PREMIUM_TIER
        )
        if kind not in kinds:
            fail("kind", _("one of %(kinds)s") % {"kinds": ", ".join(sorted(kinds))})
        model = models.get(sku.upper()) if sku else None
        if sku and model is None:
            fail("sku", _("no such model in the catalogue"))
        if kind == LicenceKind.MODEL_SOFTWARE and not sku:
            fail("sku", _("a model licence names its model"))
        product = row.get("product", "")
        if not product or len(product) > 200:
            fail("product", _("required, at most 200 characters"))
        try:
            quantity = int(row.get("quantity", ""))
            if not 0 <= quantity <= MAX_QUANTITY:
                raise ValueError
        except ValueError:
            fail("quantity", _("a whole number from 0 to %(max)s") % {"max": MAX_QUANTITY})
            quantity = 0
        valid_from = valid_until = None
        try:
            valid_from = _date(row.get("valid_from", ""))
        except ValueError:
            fail("valid_from", _("a date YYYY-MM-DD between 2000 and 2100"))
        if row.get("valid_until"):
            try:
                valid_until = _date(row["valid_until"])
            except ValueError:
                fail("valid_until", _("a date YYYY-MM-DD between 2000 and 2100, or empty"))
        if valid_from and valid_until and valid_until < valid_from:
            fail("valid_until", _("before valid_from"))
        parsed.append(
            {
                "reference": reference,
                "kind": kind,
                "product_name": product,
                "product_model": model if kind == LicenceKind.MODEL_SOFTWARE else None,
                "quantity": quantity,
                "valid_from": valid_from,
                "valid_until": valid_until,
            }
        )
    return parsed, errors


FIELDS = ("kind", "product_name", "product_model", "quantity", "valid_from", "valid_until")


def import_licences(*, actor: Any, account: Any, upload: Any) -> ImportOutcome:
    """R-POR-1: a licence file for ``account`` (CSV: reference, kind, product, sku,
    quantity, valid_from, valid_until). A known reference of the same account is updated;
    one of another account is refused. All or nothing."""
    _refuse_unless_manager(actor)
    _check_customer(account)
    rows = _read_rows(upload)
    models = {m.sku.upper(): m for m in ProductModel.objects.all()}
    parsed, errors = _parse(rows, models)
    existing = {
        lic.reference: lic
        for lic in Licence.objects.filter(reference__in=[p["reference"] for p in parsed])
    }
    for number, item in enumerate(parsed, start=2):
        other = existing.get(item["reference"])
        if other is not None and other.account_id != account.pk:
            errors.append(
                {
                    "row": number,
                    "column": "reference",
                    "message": _("already the licence of another account"),
                    "value": item["reference"],
                }
            )
    if errors:
        raise LicenceImportRejected(errors)
    outcome = ImportOutcome()
    new: list[Licence] = []
    with transaction.atomic():
        for item in parsed:
            licence = existing.get(item["reference"])
            if licence is None:
                new.append(Licence(account=account, source=LicenceSource.FILE, **item))
                outcome.created += 1
            elif any(getattr(licence, f) != item[f] for f in FIELDS):
                with changelog(licence, "licence.updated", actor=actor):
                    for f in FIELDS:
                        setattr(licence, f, item[f])
                    licence.save()
                outcome.updated += 1
            else:
                outcome.unchanged += 1
            outcome.references.append(item["reference"])
        if new:
            with bulk_changelog([], "licence.created", actor=actor, describe=str) as logged:
                Licence.objects.bulk_create(new)
                logged.extend(new)
    return outcome
