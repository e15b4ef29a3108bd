"""The fleet: devices of an account, without serial-number tracking (docs/programmes.md §3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fleetcare.core.models import TimeStamped
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    REPLACED = "replaced", _("Replaced")


#: What :meth:`DeviceQuerySet.for_list` reads.
LIST_FIELDS = (
    "id",
    "account_id",
    "site_id",
    "product_model_id",
    "serial_number",
    "firmware_version",
    "first_seen_on",
    "last_seen_on",
    "status",
    "replaced_by_id",
    "site__name",
    "product_model__sku",
    "product_model__name",
    "product_model__family",
    "product_model__end_of_support_on",
    "product_model__category__code",
    "product_model__category__quote_only",
)


class DeviceQuerySet(TenantQuerySet):
    def for_partner(self, scope: Scope) -> DeviceQuerySet:
        """A partner sees only the DaaS devices of customers it sold to (R-TEN-1)."""
        return self.filter(
            account_id__in=scope.served_customer_ids(),
            daas_enrolments__subscription__partner_id=scope.organisation_id,
        ).distinct()

    def active(self) -> DeviceQuerySet:
        return self.filter(status=DeviceStatus.ACTIVE)

    def for_list(self, *, with_account: bool = False) -> DeviceQuerySet:
        """The columns a list of devices shows and their coverage needs (the device's
        own, its site's name, its model's and category's), joined in the same query:
        no timestamps or descriptions to read and parse on every row."""
        related = ["site", "product_model__category"]
        fields = [*LIST_FIELDS]
        if with_account:
            related.append("account")
            fields.append("account__name")
        return self.select_related(*related).only(*fields)


class Device(TimeStamped):
    """R-FLT-1: a device of an account; a serial number is optional.

    The table takes bulk imports of a million rows (R-FLT-2). Its references keep their
    database foreign-key constraints (integrity over speed: without them a 1M-row import
    ran 2.6x faster, still far from its target, so the trade was not worth it); the
    indexes are kept to what the fleet queries use.
    See docs/fleet-and-contracts.md ("Device table design").
    """

    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="devices",
        verbose_name=_("account"),
        db_index=False,  # the (account, model, id) index below serves account look-ups
    )
    site = models.ForeignKey(
        "organisations.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("site"),
        db_index=False,  # partial index below: most devices have no site
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("product model"),
        db_index=False,  # rare look-ups (catalogue deletion); fleet queries go by account
    )
    serial_number = models.CharField(_("serial number"), max_length=64, null=True, blank=True)
    firmware_version = models.CharField(_("firmware version"), max_length=40, blank=True)
    first_seen_on = models.DateField(_("first seen on"))
    last_seen_on = models.DateField(_("last seen on"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE
    )
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )

    tenant_field = "account"
    objects = TenantManager.from_queryset(DeviceQuerySet)()

    class Meta:
        ordering = ["account_id", "product_model_id", "id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(
                fields=["product_model", "serial_number"],
                condition=models.Q(serial_number__isnull=False),
                name="uniq_device_serial_per_model",
            )
        ]
        indexes = [
            # Account look-ups and the device lists' order (keyset pages) in one index.
            models.Index(
                fields=["account", "product_model", "id"], name="fleet_device_account_model"
            ),
            models.Index(
                fields=["site"],
                condition=models.Q(site__isnull=False),
                name="fleet_device_site_set",
            ),
            # R-SW-1: firmware compliance (active devices per account, model and version)
            # is a GROUP BY answered from this index alone; the licences' used counts too.
            models.Index(
                fields=["account", "product_model", "firmware_version"],
                condition=models.Q(status=DeviceStatus.ACTIVE),
                name="fleet_device_firmware_active",
            ),
            # The list's "last seen" order (keyset pages).
            models.Index(
                fields=["account", "last_seen_on", "id"], name="fleet_device_account_seen"
            ),
            # Serial search: exact and prefix (LIKE 'x%' needs the pattern operator class
            # on PostgreSQL; elsewhere a plain index). "Contains" has a trigram index on
            # PostgreSQL (migration 0006, core.textsearch).
            models.Index(
                fields=["serial_number"],
                opclasses=["varchar_pattern_ops"],
                condition=models.Q(serial_number__isnull=False),
                name="fleet_device_serial",
            ),
        ]

    def __str__(self) -> str:
        label = self.serial_number or f"#{self.pk}"
        return f"{self.product_model.name} {label}" if self.product_model_id else label


class SnapshotSource(models.TextChoices):
    FILE = "file", _("File import")
    API = "api", _("Inventory push (API)")
    PORTAL = "portal", _("Registered in the portal")


class ImportMode(models.TextChoices):
    """R-FLT-4: what an import does to the devices it does not name."""

    FULL = "full", _("Full inventory")  # devices absent from the file are retired
    ADD = "add", _("Add or update")  # nothing is retired


class SnapshotStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    VALIDATING = "validating", _("Checking rows")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Refused")


class InventorySnapshotQuerySet(TenantQuerySet):
    def done(self) -> InventorySnapshotQuerySet:
        return self.filter(status=SnapshotStatus.DONE)


class InventorySnapshot(TimeStamped):
    """R-FLT-2: one inventory as of a date (a file, an API batch or a registration).

    Its counts per product model (:class:`SnapshotCount`) are the account's whole
    inventory on ``as_of``; the monthly report uses the last done snapshot on or
    before each month end.
    """

    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="inventory_snapshots",
        verbose_name=_("account"),
    )
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=8, choices=SnapshotSource.choices)
    mode = models.CharField(
        _("mode"), max_length=8, choices=ImportMode.choices, default=ImportMode.FULL
    )
    # A full inventory retiring more than FLEET_IMPORT_RETIRE_WARN_SHARE of the fleet
    # runs only once the person ticked the confirmation (kept for a background run).
    retire_confirmed = models.BooleanField(_("retirement confirmed"), default=False)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    checksum = models.CharField(
        _("checksum"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of the file or batch: the same one sent twice changes nothing."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SnapshotStatus.choices, default=SnapshotStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    device_count = models.PositiveIntegerField(_("devices"), default=0)
    created_devices = models.PositiveIntegerField(_("devices added"), default=0)
    updated_devices = models.PositiveIntegerField(_("devices updated"), default=0)
    retired_devices = models.PositiveIntegerField(_("devices retired"), default=0)
    # The first ERRORS_LISTED problems (codes and parameters, worded at display time);
    # ``error_count`` is the total, the full list is the snapshot's ErrorReport.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    upload_path = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        "organisations.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Beaten by a running import; an import whose heartbeat stops is marked failed by
    # the job fleet.stale_imports (its worker died and no other took it over).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    tenant_field = "account"
    objects = TenantManager.from_queryset(InventorySnapshotQuerySet)()

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("inventory snapshot")
        verbose_name_plural = _("inventory snapshots")
        indexes = [models.Index(fields=["account", "status", "as_of", "id"])]

    def __str__(self) -> str:
        return f"{self.account} · {self.as_of} · {self.get_source_display()}"

    @property
    def progress_percent(self) -> int:
        if self.status == SnapshotStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    @property
    def in_progress(self) -> bool:
        return self.status in (
            SnapshotStatus.PENDING,
            SnapshotStatus.VALIDATING,
            SnapshotStatus.WRITING,
        )


class SnapshotCount(models.Model):
    """Devices of one product model in a snapshot (account and category copied for GROUP BY)."""

    snapshot = models.ForeignKey(InventorySnapshot, on_delete=models.CASCADE, related_name="counts")
    # Copies of the snapshot's account and of the model's category, written only by the
    # import with validated ids: no FK trigger per count row (45,000 rows for 5,000 accounts).
    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(_("count"))

    tenant_field = "account"
    objects = TenantManager.from_queryset(TenantQuerySet)()

    class Meta:
        ordering = ["snapshot_id", "product_model_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "product_model"], name="uniq_snapshot_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}: {self.product_model_id} × {self.count}"


class ErrorReport(models.Model):
    """Every problem of a refused file or batch (the pages list only the first 1,000):
    JSON lines of codes and parameters kept through Django's storage API, served as a
    CSV worded in the reader's language, to the account's people only."""

    account = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    snapshot = models.OneToOneField(
        InventorySnapshot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="error_report",
    )
    created_by = models.ForeignKey(
        "organisations.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    total = models.PositiveIntegerField(_("problems"), default=0)
    storage_name = models.CharField(max_length=300)

    tenant_field = "account"
    objects = TenantManager.from_queryset(TenantQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("import error report")
        verbose_name_plural = _("import error reports")

    def __str__(self) -> str:
        return f"{self.file_name or self.pk}: {self.total}"
