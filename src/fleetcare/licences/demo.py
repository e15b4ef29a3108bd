"""Demo software (idempotent): a real small file for every firmware release and product
document, firmware versions for the DaaS devices, and licences for each customer (the
P+E accounts' device-management premium tier, model software licences, one expired,
one over-used)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from fleetcare.catalog import services as catalog
from fleetcare.catalog.models import FirmwareRelease, ProductDocument, ProductModel
from fleetcare.fleet import services as fleet
from fleetcare.fleet.demo import demo_version, firmware_choices
from fleetcare.fleet.models import Device

from . import services
from .models import Licence, LicenceKind


def _say(out: Any, text: str) -> None:
    if out is not None:
        out.write(text + "\n")


def firmware_bytes(release: FirmwareRelease) -> bytes:
    """A small, deterministic firmware image: a header naming model and version, then
    a few kilobytes of pattern (the same release always gives the same SHA-256)."""
    head = (
        f"FLEETCARE-DEMO-FIRMWARE\nmodel={release.product_model.sku}\n"
        f"version={release.version}\nreleased={release.released_on.isoformat()}\n"
    ).encode()
    body = bytes((i * 31 + len(release.version)) % 256 for i in range(4096))
    return head + body


def pdf_bytes(title: str) -> bytes:
    """A one-page PDF with the title on it (a real, valid PDF file)."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    text = text.encode("latin-1", "replace").decode("latin-1")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _files(ctx: Any, out: Any) -> None:
    admin = ctx.users.get("admin")
    if admin is None:
        return
    added = 0
    for release in FirmwareRelease.objects.select_related("product_model").filter(file=""):
        upload = io.BytesIO(firmware_bytes(release))
        name = f"{release.product_model.sku.lower()}-{release.version}.bin"
        catalog.attach_file(actor=admin, obj=release, upload=upload, name=name)
        added += 1
    for document in ProductDocument.objects.select_related("product_model").filter(file=""):
        upload = io.BytesIO(pdf_bytes(document.title))
        name = f"{document.product_model.sku.lower()}-{document.kind}.pdf"
        catalog.attach_file(actor=admin, obj=document, upload=upload, name=name)
        added += 1
    if added:
        _say(out, f"software: {added} firmware and document files")


def _daas_firmware(ctx: Any) -> None:
    admin = ctx.users.get("admin")
    choices = firmware_choices()
    for account in ctx.daas_customers.values():
        devices = list(
            Device.objects.filter(account=account, firmware_version="")
            .select_related("product_model")
            .order_by("id")
        )
        versions = {
            d.pk: demo_version(choices.get(d.product_model.sku, []), i, account.pk)
            for i, d in enumerate(devices)
        }
        versions = {pk: v for pk, v in versions.items() if v}
        if versions and admin is not None:
            fleet.record_firmware_versions(actor=admin, account=account, versions=versions)


# customer key → [(suffix, kind, software, sku or None, quantity, months valid (None:
# perpetual), months ago it started)]
LICENCES: dict[str, list[tuple[str, str, str, str | None, int, int | None, int]]] = {
    "acme": [
        ("DM", LicenceKind.PREMIUM_TIER, "Device management premium tier", None, 600, 12, 9),
        ("ROOMS", LicenceKind.MODEL_SOFTWARE, "Video room software", "STUDIO-X50", 50, 36, 9),
        ("PHONE", LicenceKind.MODEL_SOFTWARE, "Desk phone UC software", "CCX-500", 120, None, 9),
        ("OLD", LicenceKind.MODEL_SOFTWARE, "Conference phone software", "TRIO-8800", 12, 12, 20),
    ],
    "globex": [
        ("DM", LicenceKind.PREMIUM_TIER, "Device management premium tier", None, 450, 12, 9),
        ("ROOMS", LicenceKind.MODEL_SOFTWARE, "Video room software", "STUDIO-X52", 25, 36, 9),
        ("PHONE", LicenceKind.MODEL_SOFTWARE, "Desk phone UC software", "CCX-600", 160, 36, 9),
    ],
    "initech": [
        ("DM", LicenceKind.PREMIUM_TIER, "Device management premium tier", None, 160, 12, 9),
        ("ROOMS", LicenceKind.MODEL_SOFTWARE, "Video room software", "STUDIO-X30", 10, 36, 9),
    ],
    "northwind": [
        ("PHONE", LicenceKind.MODEL_SOFTWARE, "Desk phone UC software", "CCX-500", 150, 36, 13),
    ],
}


def _licences(ctx: Any, out: Any) -> None:
    from fleetcare.rules.enterprise import add_months

    csm = ctx.users.get("csm")
    if csm is None:
        return
    accounts = {**ctx.customers, **ctx.daas_customers}
    models = {m.sku: m for m in ProductModel.objects.all()}
    created = 0
    first = ctx.today.replace(day=1)
    for key, rows in LICENCES.items():
        account = accounts.get(key)
        if account is None:
            continue
        for suffix, kind, software, sku, quantity, months, ago in rows:
            reference = f"LIC-{key.upper()[:4]}-{suffix}"
            if Licence.objects.filter(reference=reference).exists():
                continue
            if sku is not None and sku not in models:
                continue
            start = add_months(first, -ago)
            until = add_months(start, months) - timedelta(days=1) if months else None
            services.create_licence(
                actor=csm,
                account=account,
                reference=reference,
                kind=kind,
                product_name=software,
                product_model=models.get(sku) if sku else None,
                quantity=quantity,
                valid_from=start,
                valid_until=until,
            )
            created += 1
    if created:
        _say(out, f"licences: {created} licences")


def load(ctx: Any, out: Any = None) -> None:
    _files(ctx, out)
    _daas_firmware(ctx)
    _licences(ctx, out)
