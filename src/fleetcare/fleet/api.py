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
from fleetcare.core.currency import format_count, format_percent
from fleetcare.core.lists import DbId
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation, OrganisationKind, Site

from . import importing, permissions, services
from .filters import DEVICE_SORTS, DeviceFilter, ImportFilter
from .importing.messages import present as present_errors
from .models import Device, ImportMode, InventorySnapshot

router = Router(tags=["fleet"])
ROUTER_PREFIX = ""


class DeviceOut(Schema):
    id: int
    account_id: int
    site_id: int | None
    site: str | None = None
    product_model_id: int
    sku: str
    model: str
    category: str
    serial_number: str | None
    firmware_version: str
    first_seen_on: date
    last_seen_on: date
    status: str

    # Resolvers rather than dotted aliases ("product_model.sku"): ninja resolves an alias
    # by parsing it as a template variable on every row (2.5× slower on a list page).
    @staticmethod
    def resolve_site(obj: Device) -> str | None:
        return obj.site.name if obj.site_id else None

    @staticmethod
    def resolve_sku(obj: Device) -> str:
        return obj.product_model.sku

    @staticmethod
    def resolve_model(obj: Device) -> str:
        return obj.product_model.name

    @staticmethod
    def resolve_category(obj: Device) -> str:
        return obj.product_model.category.code


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
    mode: str = Field(..., description="full (absent devices retired) or add (none retired)")
    file_name: str
    status: str
    rows_total: int
    rows_done: int
    progress_percent: int
    device_count: int
    created_devices: int
    updated_devices: int
    retired_devices: int
    errors: list[dict[str, Any]] = Field(
        ..., description="The first 1,000 problems (code, params, reason in your language)"
    )
    error_count: int = Field(..., description="Every problem, listed or not")
    error_report: str | None = Field(None, description="URL of the full error report (CSV)")
    counts: list[dict[str, Any]]

    @staticmethod
    def resolve_errors(obj: InventorySnapshot) -> list[dict[str, Any]]:
        return present_errors(obj.errors)

    @staticmethod
    def resolve_error_report(obj: InventorySnapshot) -> str | None:
        report = getattr(obj, "error_report", None) if obj.errors else None
        return _report_url(report.pk) if report is not None else None

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
    devices: list[InventoryDevice] = Field(
        ..., description="The account's whole inventory (full) or the devices to add or update."
    )
    mode: ImportMode = Field(
        ImportMode.FULL,
        description="full: devices absent from the batch are retired; add: none is retired",
    )
    confirm_retire: bool = Field(
        False, description="Needed when a full inventory retires more than the warning share"
    )


def resolve_account(request, account_id: int | None) -> Organisation:
    user = request.user
    if account_id is None:
        if user.organisation_id and user.organisation.kind == OrganisationKind.CUSTOMER:
            return user.organisation
        raise ProblemError(422, "account_id: choose the account (vendor staff act on an account).")
    return get_visible_or_404(
        Organisation.objects.filter(kind=OrganisationKind.CUSTOMER), user, pk=account_id
    )


def _report_url(report_id: int) -> str:
    return f"/api/v1/fleet/imports/errors/{report_id}.csv"


def _rejected(exc: importing.ImportRejected) -> ProblemError:
    """422: the first problems, their total and the full report's URL."""
    report = getattr(exc, "report", None)
    return ProblemError(
        422,
        _("The inventory was refused: %(count)s problem(s); nothing was saved.")
        % {"count": exc.total},
        title=_("Inventory refused"),
        errors=present_errors(exc.errors),
        error_count=exc.total,
        error_report=_report_url(report.pk) if report is not None else None,
    )


def _retire_refused(exc: services.RetireNotConfirmed) -> ProblemError:
    """409: a full inventory over the retire share, without ``confirm_retire``."""
    return ProblemError(
        409,
        _(
            "This full inventory would retire %(retired)s of the account's %(active)s active "
            "devices (more than %(share)s): send confirm_retire=true to confirm, or "
            "mode=add to add or update only. Nothing was saved."
        )
        % {
            "retired": format_count(exc.retired),
            "active": format_count(exc.active),
            "share": format_percent(exc.share_percent),
        },
        title=_("Confirmation needed"),
        errors=present_errors([exc.as_error()]),
        field="confirm_retire",
        retired=exc.retired,
        active=exc.active,
    )


def _snapshots_qs():
    return InventorySnapshot.objects.select_related("error_report").prefetch_related(
        "counts__product_model", "counts__category"
    )


@router.get("/fleet/devices", response=list[DeviceOut])
@paginate(Keyset, sorts=DEVICE_SORTS)
def list_devices(request, filters: Query[DeviceFilter]):
    """Devices in one of their indexed orders (``order``: model, -model, last_seen,
    -last_seen): ``next_cursor`` gives the next page at the same cost however deep."""
    return filters.filter(Device.objects.visible_to(request.user).for_list())


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
    mode: Form[ImportMode] = ImportMode.FULL,
    confirm_retire: Form[bool] = False,
):
    """R-FLT-2/4: a CSV or XLSX file (columns sku, serial_number, site, firmware_version,
    first_seen). Refused whole with every bad row (422 problem+json, ``errors``); the same
    file twice answers 200 with the first snapshot; large files answer 202 and run in the
    background (follow ``GET /fleet/imports/{id}``). ``mode``: ``full`` (the account's
    whole inventory: its devices absent from the file are retired; retiring more than
    the warning share of the fleet answers 409 unless ``confirm_retire=true``) or ``add``
    (add or update, nothing retired)."""
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
            mode=mode,
            confirm_retire=confirm_retire,
        )
    except importing.ImportRejected as exc:
        raise _rejected(exc) from exc
    except services.RetireNotConfirmed as exc:
        raise _retire_refused(exc) from exc
    except services.BrokerUnavailable as exc:
        raise ProblemError(
            503,
            _("The import queue is not available: nothing was saved. Try again later."),
            title=_("Service unavailable"),
        ) from exc
    snaps = list(_snapshots_qs().filter(pk__in=[s.pk for s in outcome.snapshots]))
    status = 200 if outcome.duplicate else 202 if any(s.in_progress for s in snaps) else 201
    if snaps and snaps[0].status == "failed":
        first = snaps[0].errors[0] if snaps[0].errors else {}
        if first.get("code") == "retire_unconfirmed":  # refused in the background
            params = first.get("params") or {}
            raise _retire_refused(
                services.RetireNotConfirmed(
                    snaps[0].account_id, params.get("retired", 0), params.get("active", 0)
                )
            )
        report = getattr(snaps[0], "error_report", None)
        raise ProblemError(
            422,
            _("The inventory was refused: %(count)s problem(s); nothing was saved.")
            % {"count": snaps[0].error_count},
            title=_("Inventory refused"),
            errors=present_errors(snaps[0].errors),
            error_count=snaps[0].error_count,
            error_report=_report_url(report.pk) if report is not None else None,
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
            mode=payload.mode,
            confirm_retire=payload.confirm_retire,
        )
    except importing.ImportRejected as exc:
        raise _rejected(exc) from exc
    except services.RetireNotConfirmed as exc:
        raise _retire_refused(exc) from exc
    snaps = list(_snapshots_qs().filter(pk__in=[s.pk for s in outcome.snapshots]))
    return Status(
        200 if outcome.duplicate else 201,
        {"duplicate": outcome.duplicate, "background": False, "snapshots": snaps},
    )


class ComplianceRowOut(Schema):
    account_id: int
    account: str = Field(..., alias="account_name")
    product_model_id: int
    sku: str
    model: str = Field(..., alias="model_name")
    latest: str | None = Field(None, description="The model's latest firmware release")
    total: int = Field(..., description="Active devices")
    on_latest: int
    outdated: int = Field(..., description="On an older version")
    unknown: int = Field(..., description="No version reported")
    latest_share: float = Field(..., description="Percent on the latest release")
    older_versions: dict[str, int]


class ComplianceOut(Schema):
    total: int
    on_latest: int
    outdated: int
    unknown: int
    latest_share: float
    page: int
    pages: int
    accounts: int = Field(..., description="Accounts in the whole list (paged by account)")
    rows: list[ComplianceRowOut]


class DeviceFirmwareOut(Schema):
    device_id: int
    status: str = Field(..., description="latest, outdated, unknown or no_release")
    version: str
    latest: str | None


class ComplianceQuery(Schema):
    account_id: DbId | None = None
    product_model_id: DbId | None = None
    q: str | None = Field(None, max_length=100, description="Account name contains")
    page: int = Field(1, ge=1, le=1_000_000)


@router.get("/fleet/compliance", response=ComplianceOut)
def fleet_compliance(request, params: Query[ComplianceQuery]):
    """R-SW-1: per account and model, active devices on the latest firmware against older
    ones; paged by account (10 a page). Another tenant's account answers 404."""
    from fleetcare.core.lists import counted_page

    from .compliance_views import ACCOUNTS_PER_PAGE, accounts_for

    account_id, product_model_id = params.account_id, params.product_model_id
    if not permissions.can_view_fleet(request.user):
        raise ProblemError(403, _("You have no fleet to see."))
    if account_id is not None:
        get_visible_or_404(Organisation, request.user, pk=account_id)
    current = counted_page(
        accounts_for(request.user, account_id, params.q).only("id"),
        params.page,
        per_page=ACCOUNTS_PER_PAGE,
    )
    pages = current.paginator
    result = services.compliance(
        user=request.user,
        account_ids=[a.pk for a in current.object_list],
        product_model_id=product_model_id,
    )
    return {
        "total": result.total,
        "on_latest": result.on_latest,
        "outdated": result.outdated,
        "unknown": result.unknown,
        "latest_share": result.latest_share,
        "page": current.number,
        "pages": pages.num_pages,
        "accounts": pages.count,
        "rows": result.rows,
    }


@router.get("/devices/{device_id}/firmware", response=DeviceFirmwareOut)
def device_firmware(request, device_id: int):
    """R-SW-1: whether the device runs its model's latest firmware release."""
    device = get_visible_or_404(Device, request.user, pk=device_id)
    return {"device_id": device.pk, **services.device_firmware(device)}


@router.get("/fleet/devices/export", response={200: None}, include_in_schema=True)
def export_devices(request, filters: Query[DeviceFilter], format: str = "csv"):  # noqa: A002
    """The devices you see, with the device list's filters (active ones unless ``status``
    says otherwise), in the import's own columns so that the file re-imports as it is:
    ``format=csv`` (streamed) or ``xlsx``."""
    from .import_views import export_response

    if format not in services.EXPORT_FORMATS:
        raise ProblemError(422, _("format: use csv or xlsx."), errors=[{"field": "format"}])
    return export_response(
        services.export_devices(actor=request.user, query=request.GET, fmt=format)
    )


@router.get("/fleet/imports/errors/{report_id}.csv", response={200: None})
def import_error_report(request, report_id: int):
    """Every problem of a refused import (CSV: row, column, code, message in your
    language, value cut short). Another account's report is a 404."""
    from django.http import StreamingHttpResponse

    report, chunks = services.report_csv(actor=request.user, report_id=report_id)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-errors-{report.pk}.csv"'
    return response
