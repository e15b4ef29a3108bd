"""Fleet API: devices, coverage, imports (multipart), inventory pushes (JSON)."""

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fleetcare.api.errors import ProblemError
from fleetcare.api.pagination import Keyset, PageNumber
from fleetcare.api.types import ApiDate
from fleetcare.catalog.models import ProductModel
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation, OrganisationKind, Site

from . import importing, services
from .filters import DEVICE_SORTS, DeviceFilter, ImportFilter
from .models import Device, InventorySnapshot

router = Router(tags=["fleet"])
ROUTER_PREFIX = ""


class DeviceOut(Schema):
    id: int
    account_id: int
    site_id: int | None
    site: str | None = Field(None, alias="site.name")
    product_model_id: int
    sku: str = Field(..., alias="product_model.sku")
    model: str = Field(..., alias="product_model.name")
    category: str = Field(..., alias="product_model.category.code")
    serial_number: str | None
    firmware_version: str
    first_seen_on: date
    last_seen_on: date
    status: str


class CoverageOut(Schema):
    device_id: int
    on: date
    covered: bool
    programme: str | None
    programme_name: str | None
    contract_id: int | None
    contract_reference: str | None
    subscription_id: int | None
    subscription_reference: str | None
    covered_from: date | None
    covered_to: date | None
    reason: str | None = Field(None, description="Why not covered: a stable code")
    reason_params: dict[str, Any] = Field(
        default_factory=dict, description="The reason's parameters (dates, category, contract)"
    )
    explanation: str = Field("", description="The reason as a sentence, in your language")


class SnapshotOut(Schema):
    id: int
    account_id: int
    as_of: date
    source: str
    file_name: str
    status: str
    rows_total: int
    rows_done: int
    progress_percent: int
    device_count: int
    created_devices: int
    updated_devices: int
    errors: list[dict[str, Any]]
    counts: list[dict[str, Any]]

    @staticmethod
    def resolve_counts(obj: InventorySnapshot) -> list[dict[str, Any]]:
        return [
            {"sku": c.product_model.sku, "category": c.category.code, "count": c.count}
            for c in obj.counts.all()
        ]


class ImportOut(Schema):
    duplicate: bool
    background: bool
    snapshots: list[SnapshotOut]


class RegisterIn(Schema):
    account_id: int | None = None
    sku: str
    serial_number: str = ""
    site_id: int | None = None
    firmware_version: str = ""
    first_seen_on: ApiDate | None = None


class InventoryDevice(Schema):
    sku: str
    serial_number: str | None = None
    site: str | None = None
    firmware_version: str | None = None
    first_seen: ApiDate | None = None


class InventoryIn(Schema):
    account_id: int | None = Field(
        None, description="Required for vendor staff; a customer pushes its own."
    )
    as_of: ApiDate | None = Field(
        None, description="Inventory date (default today; may be in the past)."
    )
    devices: list[InventoryDevice] = Field(..., description="The account's whole inventory.")


def resolve_account(request, account_id: int | None) -> Organisation:
    user = request.user
    if account_id is None:
        if user.organisation_id and user.organisation.kind == OrganisationKind.CUSTOMER:
            return user.organisation
        raise ProblemError(422, "account_id: choose the account (vendor staff act on an account).")
    return get_visible_or_404(
        Organisation.objects.filter(kind=OrganisationKind.CUSTOMER), user, pk=account_id
    )


def _rejected(exc: importing.ImportRejected) -> ProblemError:
    return ProblemError(422, exc.detail, title="Inventory refused", errors=exc.errors)


def _snapshots_qs():
    return InventorySnapshot.objects.prefetch_related("counts__product_model", "counts__category")


@router.get("/fleet/devices", response=list[DeviceOut])
@paginate(Keyset, sorts=DEVICE_SORTS)
def list_devices(request, filters: Query[DeviceFilter]):
    """Devices in one of their indexed orders (``order``: model, -model, last_seen,
    -last_seen): ``next_cursor`` gives the next page at the same cost however deep."""
    qs = Device.objects.visible_to(request.user).select_related("site", "product_model__category")
    return filters.filter(qs)


@router.post("/fleet/devices", response={201: DeviceOut})
def register_device(request, payload: RegisterIn):
    account = resolve_account(request, payload.account_id)
    model = ProductModel.objects.filter(sku__iexact=payload.sku.strip()).first()
    if model is None:
        raise ProblemError(
            422,
            f"sku: unknown SKU {payload.sku!r}.",
            errors=[{"field": "sku", "reason": "unknown SKU"}],
        )
    site = None
    if payload.site_id is not None:
        site = Site.objects.filter(pk=payload.site_id, organisation=account).first()
        if site is None:
            raise ProblemError(
                422,
                "site_id: no such site in the account.",
                errors=[{"field": "site_id", "reason": "not a site of the account"}],
            )
    device = services.register_device(
        actor=request.user,
        account=account,
        product_model=model,
        serial_number=payload.serial_number,
        site=site,
        firmware_version=payload.firmware_version,
        first_seen_on=payload.first_seen_on,
    )
    return Status(
        201, Device.objects.select_related("site", "product_model__category").get(pk=device.pk)
    )


@router.get("/devices/{device_id}", response=DeviceOut)
def get_device(request, device_id: int):
    return get_visible_or_404(
        Device.objects.select_related("site", "product_model__category"), request.user, pk=device_id
    )


@router.get("/devices/{device_id}/coverage", response=CoverageOut)
def device_coverage(request, device_id: int, on: ApiDate | None = None):
    """R-FLT-3: covered or not on a date (default today), by which contract and programme,
    from when to when, or why not."""
    device = get_visible_or_404(
        Device.objects.select_related("product_model__category"), request.user, pk=device_id
    )
    cov = services.coverage_for(device, on or timezone.localdate())
    fields = {k: v for k, v in cov.__dict__.items() if k != "params"}
    return {
        "device_id": device.pk,
        **fields,
        "reason_params": dict(cov.params),
        "explanation": cov.explanation,
    }


@router.get("/fleet/imports/template.csv", auth=None, include_in_schema=True)
def import_template(request):
    response = HttpResponse(importing.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="fleet-import-template.csv"'
    return response


@router.post("/fleet/imports", response={200: ImportOut, 201: ImportOut, 202: ImportOut})
def import_file(
    request,
    file: File[UploadedFile],
    account_id: Form[int | None] = None,
    as_of: Form[ApiDate | None] = None,
):
    """R-FLT-2/4: a CSV or XLSX file (columns sku, serial_number, site, firmware_version,
    first_seen). Refused whole with every bad row (422 problem+json, ``errors``); the same
    file twice answers 200 with the first snapshot; large files answer 202 and run in the
    background (follow ``GET /fleet/imports/{id}``)."""
    account = resolve_account(request, account_id)
    services.require_fleet_manager(request.user, account)
    path = services.store_upload(file)
    try:
        outcome = services.import_file(
            actor=request.user,
            account=account,
            path=path,
            file_name=file.name or "upload.csv",
            as_of=as_of,
        )
    except importing.ImportRejected as exc:
        raise _rejected(exc) from exc
    except services.BrokerUnavailable as exc:
        raise ProblemError(
            503,
            _("The import queue is not available: nothing was saved. Try again later."),
            title=_("Service unavailable"),
        ) from exc
    snaps = list(_snapshots_qs().filter(pk__in=[s.pk for s in outcome.snapshots]))
    status = 200 if outcome.duplicate else 202 if any(s.in_progress for s in snaps) else 201
    if snaps and snaps[0].status == "failed":
        raise ProblemError(
            422,
            "The inventory was refused; nothing was saved.",
            title="Inventory refused",
            errors=snaps[0].errors,
        )
    return Status(
        status,
        {"duplicate": outcome.duplicate, "background": outcome.background, "snapshots": snaps},
    )


@router.get("/fleet/imports", response=list[SnapshotOut])
@paginate(PageNumber)
def list_imports(request, filters: Query[ImportFilter]):
    return filters.filter(_snapshots_qs().visible_to(request.user)).order_by("-as_of", "-id")


@router.get("/fleet/imports/{snapshot_id}", response=SnapshotOut)
def get_import(request, snapshot_id: int):
    return get_visible_or_404(_snapshots_qs(), request.user, pk=snapshot_id)


@router.post("/fleet/inventory", response={200: ImportOut, 201: ImportOut})
def push_inventory(request, payload: InventoryIn):
    """R-FLT-2: the inventory a device-management tool sends: the account's whole fleet as
    of ``as_of``. Errors name the device by its position (``row`` = index + 2, as if row 1
    were a header) and field."""
    account = resolve_account(request, payload.account_id)
    try:
        outcome = services.push_inventory(
            actor=request.user,
            account=account,
            devices=[d.dict() for d in payload.devices],
            as_of=payload.as_of,
        )
    except importing.ImportRejected as exc:
        raise _rejected(exc) from exc
    snaps = list(_snapshots_qs().filter(pk__in=[s.pk for s in outcome.snapshots]))
    return Status(
        200 if outcome.duplicate else 201,
        {"duplicate": outcome.duplicate, "background": False, "snapshots": snaps},
    )
