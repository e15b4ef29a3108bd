"""Money documents (docs/programmes.md §9, R-MON-1..2): quotes, orders, invoices, credit notes.

A document is a draft until it is issued; issuing gives it the next number of its
series, taken under a row lock so numbers are gapless. An issued invoice is never
edited again: corrections are credit notes.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from fleetcare.billing import titles  # noqa: F401  (defines the title codes)
from fleetcare.core import programmes
from fleetcare.core.messages import render
from fleetcare.core.models import TimeStamped, VendorOnlyQuerySet
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet
from fleetcare.rules.money import round_money


class DocumentKind(models.TextChoices):
    QUOTE = "quote", _("Quote")
    ORDER = "order", _("Order")
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class DocumentPurpose(models.TextChoices):
    """R-MON-2: what a document is for."""

    PE_UPFRONT_ORDER = "pe_upfront_order", _("Poly+ Enterprise upfront order")
    PE_ADJUSTMENT_QUOTE = "pe_adjustment_quote", _("Poly+ Enterprise adjustment quote")
    PE_RENEWAL_QUOTE = "pe_renewal_quote", _("Poly+ Enterprise renewal quote")
    UNRETURNED_UNIT_CHARGE = "unreturned_unit_charge", _("Unreturned-unit charge")
    THRESHOLD_CHARGE = "threshold_charge", _("Over-threshold replacement charge")
    DAAS_MONTHLY_INVOICE = "daas_monthly_invoice", _("DaaS monthly partner invoice")
    OPTIONS = "options", _("Paid options")
    PROFESSIONAL_SERVICES = "professional_services", _("Professional services")
    CORRECTION = "correction", _("Correction")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


# Series by kind: one gapless sequence each.
SERIES_PREFIX = {
    DocumentKind.QUOTE: "Q",
    DocumentKind.ORDER: "O",
    DocumentKind.INVOICE: "INV",
    DocumentKind.CREDIT_NOTE: "CN",
}


class NumberSeries(models.Model):
    """The next number of a series. Locked (SELECT … FOR UPDATE) while a number is taken."""

    code = models.CharField(max_length=32, unique=True)
    prefix = models.CharField(max_length=16)
    next_number = models.PositiveIntegerField(default=1)

    objects = TenantManager.from_queryset(VendorOnlyQuerySet)()

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")

    def __str__(self) -> str:
        return f"{self.code} → {self.prefix}{self.next_number:06d}"


class DocumentQuerySet(TenantQuerySet):
    """Customers see their own documents; a distributor the ones addressed to it; a
    partner the ones addressed to it and the DaaS documents of the customers it sold to."""

    def for_vendor(self, scope: Scope) -> DocumentQuerySet:
        return self.all()

    def for_customer(self, scope: Scope) -> DocumentQuerySet:
        return self.filter(account_id=scope.organisation_id).exclude(status=DocumentStatus.DRAFT)

    def for_partner(self, scope: Scope) -> DocumentQuerySet:
        return self.filter(
            models.Q(addressed_to_id=scope.organisation_id)
            | models.Q(
                account_id__in=scope.served_customer_ids(),
                programme__in=programmes.codes(sold_by="partner"),
            )
        ).exclude(status=DocumentStatus.DRAFT)

    def for_distributor(self, scope: Scope) -> DocumentQuerySet:
        return self.filter(addressed_to_id=scope.organisation_id).exclude(
            status=DocumentStatus.DRAFT
        )


class Document(TimeStamped):
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    purpose = models.CharField(_("purpose"), max_length=32, choices=DocumentPurpose.choices)
    # R-PRG-1: the code of the programme the document belongs to (empty: none).
    programme = models.CharField(_("programme"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("account"),
        help_text=_("The organisation the document concerns."),
    )
    addressed_to = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="documents_received",
        verbose_name=_("addressed to"),
        help_text=_("Who receives it (the account, a distributor, a partner)."),
    )
    currency = models.CharField(_("currency"), max_length=3)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=0)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    # The title as a message code and its parameters (billing.titles), written when
    # shown in the reader's language; blank for documents written before codes.
    title_code = models.CharField(_("title code"), max_length=64, blank=True)
    title_params = models.JSONField(_("title parameters"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # A note the system writes (not typed by a person): its code and parameters
    # (billing.titles); ``notes`` keeps the text as issued, in the recipient's language.
    notes_code = models.CharField(_("notes code"), max_length=64, blank=True)
    notes_params = models.JSONField(_("notes parameters"), default=dict, blank=True)
    source_key = models.CharField(
        _("source"),
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text=_("What raised it (e.g. adjustment:12); makes raising it idempotent."),
    )
    credits = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credits invoice"),
    )
    subtotal = models.DecimalField(_("subtotal"), max_digits=14, decimal_places=2, default=0)
    tax_amount = models.DecimalField(_("tax"), max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        "organisations.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    tenant_field = "account"
    objects = TenantManager.from_queryset(DocumentQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("money document")
        verbose_name_plural = _("money documents")
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["created_at", "id"], name="billing_document_created"),
            models.Index(
                fields=["number"],
                opclasses=["varchar_pattern_ops"],
                condition=models.Q(number__isnull=False),
                name="billing_document_number_prefix",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or _('(draft)')}"

    @property
    def display_title(self) -> str:
        """The title in the active language (the stored text for older documents)."""
        if self.title_code:
            return render(self.title_code, self.title_params) or self.title
        return self.title

    @property
    def display_notes(self) -> str:
        """The notes in the active language when the system wrote them; typed notes as typed."""
        if self.notes_code:
            return render(self.notes_code, self.notes_params) or self.notes
        return self.notes

    @property
    def label(self) -> str:
        """Kind and number ("Invoice INV-000001"); a draft is just its kind, its status
        being shown beside it once."""
        return (
            f"{self.get_kind_display()} {self.number}"
            if self.number
            else str(self.get_kind_display())
        )

    def recompute_totals(self) -> None:
        subtotal = sum((line.amount for line in self.lines.all()), Decimal("0"))
        self.subtotal = round_money(subtotal)
        self.tax_amount = round_money(self.subtotal * self.tax_rate / Decimal(100))
        self.total = self.subtotal + self.tax_amount


class DocumentLine(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("description"), max_length=300)
    # The description as a message code and its parameters (billing.titles), written in
    # the reader's language when shown; ``description`` keeps the text as issued, in the
    # recipient's language (and is the text of lines without a code).
    text_code = models.CharField(_("text code"), max_length=64, blank=True)
    text_params = models.JSONField(_("text parameters"), default=dict, blank=True)
    sku = models.CharField(_("SKU"), max_length=40, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    factor = models.DecimalField(
        _("factor"),
        max_digits=12,
        decimal_places=8,
        default=1,
        help_text=_("Proration or share applied to quantity × unit price."),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    tenant_field = "document__account"
    objects = TenantManager.from_queryset(TenantQuerySet)()

    class Meta:
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="uniq_line_position")
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def display_description(self) -> str:
        """The description in the active language (the stored text for older lines)."""
        if self.text_code:
            return render(self.text_code, self.text_params) or self.description
        return self.description
