"""The catalogue (docs/programmes.md §2, R-CAT-1..3).

The catalogue is public to every signed-in user (everyone may browse models, spare
parts and documents); downloads of software are for entitled users (R-POR-1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fleetcare.core.currency import validate_currency
from fleetcare.core.models import TimeStamped
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet
from fleetcare.rules import coverage as coverage_rules


class CategoryCode(models.TextChoices):
    """R-CAT-2: P+E categories and quote-only classes."""

    PERSONAL = "personal", _("Personal devices and headsets")
    VIDEO = "video", _("Video")
    VOICE = "voice", _("Voice")
    IMMERSIVE_TELEPRESENCE = "immersive_telepresence", _("Immersive Telepresence")
    MEDIA_ENGINE = "media_engine", _("Media engine")
    VERTICAL_SOLUTION = "vertical_solution", _("Vertical solution")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")


QUOTE_ONLY = {
    CategoryCode.IMMERSIVE_TELEPRESENCE,
    CategoryCode.MEDIA_ENGINE,
    CategoryCode.VERTICAL_SOLUTION,
    CategoryCode.INFRASTRUCTURE,
}


class CatalogQuerySet(TenantQuerySet):
    """Catalogue rows are visible to every active signed-in user, whatever the tenant."""

    def for_customer(self, scope: Scope) -> CatalogQuerySet:
        return self.all()

    def for_partner(self, scope: Scope) -> CatalogQuerySet:
        return self.all()

    def for_distributor(self, scope: Scope) -> CatalogQuerySet:
        return self.all()

    def for_end_user(self, scope: Scope) -> CatalogQuerySet:
        return self.all()


def category_label(code: str) -> str:
    """A category code's label in the active language (an unknown code as given). Not
    ``get_code_display()``: that call hashes every choice's lazy label, a dozen
    translations per row of a list."""
    try:
        return str(CategoryCode(code).label)
    except ValueError:
        return str(code or "")


class Category(models.Model):
    code = models.CharField(_("code"), max_length=32, choices=CategoryCode.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    quote_only = models.BooleanField(
        _("quote-only class"),
        default=False,
        help_text=_("Never covered automatically: needs a quote line of its own (R-CAT-2)."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = TenantManager.from_queryset(CatalogQuerySet)()

    class Meta:
        ordering = ["quote_only", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return category_label(self.code)


class ProductModelQuerySet(CatalogQuerySet):
    def search(self, q: str) -> ProductModelQuerySet:
        """SKU, name or family contains ``q``, or a compatible spare part's number or name
        does (R-POR-1: "find spare parts for a model")."""
        if not q:
            return self
        parts = SparePart.objects.search(q).values("pk")
        return self.filter(
            models.Q(sku__icontains=q)
            | models.Q(name__icontains=q)
            | models.Q(family__icontains=q)
            | models.Q(
                pk__in=SparePart.compatible_models.through.objects.filter(
                    sparepart_id__in=parts
                ).values("productmodel_id")
            )
        )

    def lifecycle(self, status: str, on: date) -> ProductModelQuerySet:
        if status == "active":
            return self.filter(
                models.Q(end_of_sale_effective_on__isnull=True)
                | models.Q(end_of_sale_effective_on__gt=on)
            ).filter(models.Q(end_of_support_on__isnull=True) | models.Q(end_of_support_on__gt=on))
        if status == "end_of_sale":
            return self.filter(end_of_sale_effective_on__lte=on).filter(
                models.Q(end_of_support_on__isnull=True) | models.Q(end_of_support_on__gt=on)
            )
        if status == "end_of_support":
            return self.filter(end_of_support_on__lte=on)
        return self


class ProductModel(TimeStamped):
    """R-CAT-1: a product model."""

    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    family = models.CharField(_("family"), max_length=100)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="models")
    description = models.TextField(_("description"), blank=True)
    end_of_sale_announced_on = models.DateField(
        _("end of sale announced on"), null=True, blank=True
    )
    end_of_sale_effective_on = models.DateField(
        _("end of sale effective on"), null=True, blank=True
    )
    end_of_support_on = models.DateField(_("end of support on"), null=True, blank=True)

    objects = TenantManager.from_queryset(ProductModelQuerySet)()

    class Meta:
        ordering = ["family", "name"]
        verbose_name = _("product model")
        verbose_name_plural = _("product models")

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def price_in(self, currency: str) -> ProductPrice:
        """R-CAT-1: the model's price-list entry in ``currency``; ``MissingPrice`` when the
        vendor does not sell it in that currency (never converted, never USD instead)."""
        code = (currency or "").upper()
        cached = getattr(self, "_prefetched_objects_cache", {}).get("prices")
        if cached is not None:
            found = next((p for p in cached if p.currency == code), None)
        else:
            found = self.prices.filter(currency=code).first()
        if found is None:
            raise MissingPrice(self, code, "list")
        return found

    def list_price_in(self, currency: str) -> Decimal:
        return self.price_in(currency).list_price

    def pe_yearly_price_in(self, currency: str) -> Decimal:
        price = self.price_in(currency).pe_yearly_price
        if price is None:
            raise MissingPrice(self, currency, "pe_yearly")
        return price

    def daas_monthly_price_in(self, currency: str) -> Decimal:
        price = self.price_in(currency).daas_monthly_price
        if price is None:
            raise MissingPrice(self, currency, "daas_monthly")
        return price

    def lifecycle_status(self, on: date) -> str:
        if self.is_past_end_of_support(on):
            return "end_of_support"
        if self.end_of_sale_effective_on and self.end_of_sale_effective_on <= on:
            return "end_of_sale"
        if self.end_of_sale_announced_on and self.end_of_sale_announced_on <= on:
            return "end_of_sale_announced"
        return "active"

    def is_past_end_of_support(self, on: date) -> bool:
        """R-CAT-3: not covered by P+E from the end-of-support date."""
        return coverage_rules.is_past_end_of_support(self.end_of_support_on, on)

    @property
    def latest_firmware(self) -> FirmwareRelease | None:
        return self.firmware_releases.order_by("-released_on", "-id").first()


PRICE_KINDS = {
    "list": _("list price"),
    "pe_yearly": _("yearly Poly+ Enterprise price"),
    "daas_monthly": _("DaaS monthly price"),
}


class MissingPrice(ValidationError):
    """A model has no price of the kind asked for in a currency: a refusal, never a fallback."""

    def __init__(self, model: ProductModel, currency: str, kind: str = "list") -> None:
        self.product_model, self.currency, self.kind = model, (currency or "").upper(), kind
        super().__init__(
            _("%(model)s (%(sku)s) has no %(kind)s in %(currency)s in the price list.")
            % {
                "model": model.name,
                "sku": model.sku,
                "kind": PRICE_KINDS[kind],
                "currency": self.currency,
            },
            code="missing_price",
        )


class ProductPrice(models.Model):
    """R-CAT-1 / R-MON-1: one line of a currency's price list. Written as data for each
    currency the vendor sells in; never derived from another currency."""

    product_model = models.ForeignKey(
        ProductModel, on_delete=models.CASCADE, related_name="prices", verbose_name=_("model")
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    list_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2)
    pe_yearly_price = models.DecimalField(
        _("yearly Poly+ Enterprise price per device"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    daas_monthly_price = models.DecimalField(
        _("DaaS monthly price"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    objects = TenantManager.from_queryset(CatalogQuerySet)()

    class Meta:
        ordering = ["product_model_id", "currency"]
        verbose_name = _("price")
        verbose_name_plural = _("price list")
        constraints = [
            models.UniqueConstraint(
                fields=["product_model", "currency"], name="uniq_price_per_model_currency"
            ),
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0), name="price_list_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(pe_yearly_price__isnull=True) | models.Q(pe_yearly_price__gte=0),
                name="price_pe_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(daas_monthly_price__isnull=True)
                | models.Q(daas_monthly_price__gte=0),
                name="price_daas_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_model.sku} {self.currency} {self.list_price}"


class StoredFile(models.Model):
    """R-POR-1: a downloadable file kept through Django's storage API (``default_storage``:
    local files or a shared store), with its size and SHA-256 so the reader can check it.
    Written by ``catalog.services.attach_file`` only."""

    file = models.FileField(_("file"), upload_to="software/%Y/", max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def has_file(self) -> bool:
        return bool(self.file and self.file.name)


class FirmwareRelease(StoredFile):
    product_model = models.ForeignKey(
        ProductModel, on_delete=models.CASCADE, related_name="firmware_releases"
    )
    version = models.CharField(_("version"), max_length=40)
    released_on = models.DateField(_("released on"))
    notes = models.TextField(_("release notes"), blank=True)
    download_url = models.URLField(_("download address"), blank=True)

    objects = TenantManager.from_queryset(CatalogQuerySet)()

    class Meta:
        ordering = ["-released_on", "-id"]
        verbose_name = _("firmware release")
        verbose_name_plural = _("firmware releases")
        constraints = [
            models.UniqueConstraint(
                fields=["product_model", "version"], name="uniq_firmware_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_model.name} {self.version}"


class DocumentKind(models.TextChoices):
    DATASHEET = "datasheet", _("Data sheet")
    USER_GUIDE = "user_guide", _("User guide")
    ADMIN_GUIDE = "admin_guide", _("Administrator guide")
    QUICK_START = "quick_start", _("Quick start")
    RELEASE_NOTES = "release_notes", _("Release notes")


class ProductDocument(StoredFile):
    product_model = models.ForeignKey(
        ProductModel, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8, default="en")
    url = models.URLField(_("address"), blank=True)

    objects = TenantManager.from_queryset(CatalogQuerySet)()

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class SparePartQuerySet(CatalogQuerySet):
    def search(self, q: str) -> SparePartQuerySet:
        if not q:
            return self
        return self.filter(models.Q(part_number__icontains=q) | models.Q(name__icontains=q))


class SparePart(models.Model):
    part_number = models.CharField(_("part number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    list_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    compatible_models = models.ManyToManyField(
        ProductModel, related_name="spare_parts", verbose_name=_("compatible models")
    )

    objects = TenantManager.from_queryset(SparePartQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")

    def __str__(self) -> str:
        return f"{self.name} ({self.part_number})"
