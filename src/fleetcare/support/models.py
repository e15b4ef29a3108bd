"""Support cases (docs/programmes.md §6, R-SUP-1..4, R-DS-6)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fleetcare.core import programmes
from fleetcare.core.models import TimeStamped
from fleetcare.core.programmes import ProgrammeKind
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet

from .entitlement_messages import explain_not_entitled


def _random_name(folder: str, filename: str) -> str:
    """Stored under a random name: the original name is kept in the row only."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"support/{folder}/{uuid.uuid4().hex}{suffix}"


def attachment_path(instance: object, filename: str) -> str:
    return _random_name("attachments", filename)


def authorisation_path(instance: object, filename: str) -> str:
    return _random_name("authorisations", filename)


class Severity(models.TextChoices):
    S1 = "S1", _("S1 – critical")
    S2 = "S2", _("S2 – major")
    S3 = "S3", _("S3 – minor")
    S4 = "S4", _("S4 – question")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    WAITING_ON_PARTNER = "waiting_on_partner", _("Waiting on partner")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING_ON_CUSTOMER,
    CaseStatus.WAITING_ON_PARTNER,
)


class Entitlement(models.TextChoices):
    """R-SUP-1 / R-PRG-1: what entitles a case, by programme kind (the programme itself
    is ``Case.programme_code``)."""

    ACCOUNT_WIDE = ProgrammeKind.ACCOUNT_WIDE.value, _("Account-wide contract")
    PER_DEVICE = ProgrammeKind.PER_DEVICE.value, _("Per-device term")
    NONE = "none", _("Not entitled")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    PHONE = "phone", _("Phone")


class CaseQuerySet(TenantQuerySet):
    """R-TEN-1: customers see their account's cases; a partner only the DaaS cases of
    the customers it sold to; vendor staff all; end users nothing."""

    def for_partner(self, scope: Scope) -> CaseQuerySet:
        return self.filter(
            entitlement=Entitlement.PER_DEVICE,
            account_id__in=scope.served_customer_ids(),
        ).filter(
            Q(opened_by_partner_id=scope.organisation_id)
            | Q(daas_device__subscription__partner_id=scope.organisation_id)
        )

    def for_distributor(self, scope: Scope) -> CaseQuerySet:
        return self.none()

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


MILESTONE_LABELS = {
    "first_response": _("first response"),
    "update": _("update"),
    "solution": _("solution"),
}


class Case(TimeStamped):
    """R-SUP-1: a support case."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="support_cases",
        verbose_name=_("account"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_cases",
        verbose_name=_("requester"),
    )
    opened_by_partner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_opened_cases",
        verbose_name=_("opened by partner"),
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        on_delete=models.PROTECT,
        related_name="support_cases",
        verbose_name=_("product model"),
    )
    device = models.ForeignKey(
        "fleet.Device",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_cases",
        verbose_name=_("device"),
    )
    severity = models.CharField(_("severity"), max_length=2, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.PORTAL
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )

    # Entitlement (R-SUP-1)
    entitlement = models.CharField(
        _("entitlement"), max_length=16, choices=Entitlement.choices, default=Entitlement.NONE
    )
    # R-PRG-1: the programme of the contract or term found; empty when not entitled.
    programme_code = models.CharField(_("programme"), max_length=64, blank=True)
    enterprise_contract = models.ForeignKey(
        "contracts.EnterpriseContract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_cases",
        verbose_name=_("Poly+ Enterprise contract"),
    )
    daas_device = models.ForeignKey(
        "daas.SubscribedDevice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_cases",
        verbose_name=_("DaaS subscribed device"),
    )
    entitled_until = models.DateField(_("entitled until"), null=True, blank=True)
    # Why not entitled: a code of support.entitlement.NOT_ENTITLED and its parameters;
    # the sentence is written when shown (entitlement_note), in the reader's language.
    entitlement_reason = models.CharField(_("entitlement reason"), max_length=32, blank=True)
    entitlement_params = models.JSONField(
        _("entitlement reason parameters"), default=dict, blank=True
    )
    paid_support_offered = models.BooleanField(_("paid support offered"), default=False)

    # Clock facts (R-SUP-2)
    opened_at = models.DateTimeField(_("opened at"))
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    last_update_at = models.DateTimeField(_("last update at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Computed deadlines, stored for sorting (recomputed on every change)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_update_due = models.DateTimeField(_("next update due"), null=True, blank=True)
    solution_due = models.DateTimeField(_("solution due"), null=True, blank=True)
    earliest_due = models.DateTimeField(_("earliest open deadline"), null=True, blank=True)
    earliest_milestone = models.CharField(_("earliest milestone"), max_length=20, blank=True)
    clock_paused_since = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    breached_milestones = models.JSONField(_("breached milestones"), default=list, blank=True)
    warned_milestones = models.JSONField(_("warned milestones"), default=list, blank=True)

    # Escalation (R-SUP-3), current state; history in Escalation rows
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    tenant_field = "account"
    objects = TenantManager.from_queryset(CaseQuerySet)()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("support case")
        verbose_name_plural = _("support cases")
        indexes = [
            models.Index(fields=["status", "earliest_due"]),
            models.Index(fields=["account", "status"]),
            models.Index(fields=["opened_at", "id"], name="support_case_opened"),
            # Reference look-ups by prefix (global search): LIKE 'x%' on PostgreSQL.
            models.Index(
                fields=["reference"],
                opclasses=["varchar_pattern_ops"],
                name="support_case_ref_prefix",
            ),
        ]

    @property
    def earliest_milestone_label(self) -> str:
        return str(MILESTONE_LABELS.get(self.earliest_milestone, self.earliest_milestone))

    def __str__(self) -> str:
        return f"{self.reference} · {self.subject}"

    @property
    def entitlement_note(self) -> str:
        """Why the case is not entitled, in the active language ("" when entitled)."""
        return explain_not_entitled(self.entitlement_reason, self.entitlement_params)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def programme(self):  # type: ignore[no-untyped-def]
        """The entitling programme's settings; None when not entitled (R-PRG-1)."""
        return programmes.programme(self.programme_code) if self.programme_code else None

    @property
    def programme_name(self) -> str:
        return programmes.programme_name(self.programme_code) if self.programme_code else ""

    @property
    def entitlement_label(self) -> str:
        """The entitling programme's name, else the entitlement's label (not entitled)."""
        return self.programme_name or str(self.get_entitlement_display())


class CaseChildQuerySet(TenantQuerySet):
    """Rows that belong to a case are visible exactly when the case is."""

    def for_customer(self, scope: Scope) -> CaseChildQuerySet:
        return self.filter(case__account_id=scope.organisation_id)

    def for_partner(self, scope: Scope) -> CaseChildQuerySet:
        return self.filter(case__in=Case.objects.all().for_partner(scope))

    def for_distributor(self, scope: Scope) -> CaseChildQuerySet:
        return self.none()


class StatusChange(models.Model):
    """The case's status history: pauses are reconstructed from it (R-SUP-2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=24, choices=CaseStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    tenant_field = "case__account"
    objects = TenantManager.from_queryset(CaseChildQuerySet)()

    class Meta:
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} {self.at:%Y-%m-%d %H:%M}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Case opened")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    ATTACHMENT = "attachment", _("Attachment")
    ENTITLEMENT = "entitlement", _("Entitlement")
    SEVERITY = "severity", _("Severity changed")
    BREACH_WARNING = "breach_warning", _("Breach warning")
    BREACH = "breach", _("Service level breached")
    ESCALATED = "escalated", _("Escalated")
    ESCALATION_UPDATE = "escalation_update", _("Escalation update")
    DEESCALATED = "deescalated", _("De-escalated")
    ENGINEERING_REF = "engineering_ref", _("Engineering reference")
    PARTNER_INCIDENT = "partner_incident", _("Cloud-partner incident")


class CaseEvent(models.Model):
    """The timeline: everything that happened on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField(db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True)
    internal = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    tenant_field = "case__account"
    objects = TenantManager.from_queryset(CaseChildQuerySet)()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    tenant_field = "case__account"
    objects = TenantManager.from_queryset(CaseChildQuerySet)()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DEESCALATED = "deescalated", _("De-escalated")


class Escalation(TimeStamped):
    """R-SUP-3."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"))
    reason = models.TextField(_("reason"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_escalations",
        verbose_name=_("escalation manager"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EscalationStatus.choices,
        default=EscalationStatus.OPEN,
    )
    specialist = models.CharField(_("specialist found"), max_length=200, blank=True)
    actions = models.TextField(_("actions"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    fix = models.TextField(_("fix"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"))
    deescalated_at = models.DateTimeField(_("de-escalated at"), null=True, blank=True)

    tenant_field = "case__account"
    objects = TenantManager.from_queryset(CaseChildQuerySet)()

    class Meta:
        ordering = ["-escalated_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="open"), name="one_open_escalation_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} L{self.level}"


class EngineeringRefKind(models.TextChoices):
    BUG = "bug", _("Bug")
    FEATURE = "feature", _("Feature request")


class EngineeringReference(models.Model):
    """R-SUP-3: bugs and feature requests link to an engineering reference."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="engineering_refs")
    kind = models.CharField(_("kind"), max_length=8, choices=EngineeringRefKind.choices)
    reference = models.CharField(_("reference"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    tenant_field = "case__account"
    objects = TenantManager.from_queryset(CaseChildQuerySet)()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "reference"], name="uniq_case_eng_ref")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class CloudPartnerQuerySet(TenantQuerySet):
    """Reference data: every signed-in organisation may see the list."""

    def for_customer(self, scope: Scope) -> CloudPartnerQuerySet:
        return self.all()

    def for_partner(self, scope: Scope) -> CloudPartnerQuerySet:
        return self.all()


class CloudPartner(models.Model):
    """A cloud partner whose environment may cause problems (e.g. a meeting platform)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    contact = models.CharField(
        _("contact"),
        max_length=300,
        blank=True,
        help_text=_("Who to reach at the partner: desk, e-mail, phone."),
    )
    escalation_procedure = models.TextField(
        _("escalation procedure"),
        blank=True,
        help_text=_("How to open and escalate an incident with this partner."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, null=True)

    objects = TenantManager.from_queryset(CloudPartnerQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("cloud partner")
        verbose_name_plural = _("cloud partners")

    def __str__(self) -> str:
        return self.name


class CloudPartnerAuthorisationQuerySet(TenantQuerySet):
    def for_partner(self, scope: Scope) -> CloudPartnerAuthorisationQuerySet:
        return self.none()

    def for_distributor(self, scope: Scope) -> CloudPartnerAuthorisationQuerySet:
        return self.none()


class CloudPartnerAuthorisation(TimeStamped):
    """R-SUP-4: the customer's signed authorisation on file, per account and partner."""

    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="cloud_partner_authorisations",
        verbose_name=_("account"),
    )
    cloud_partner = models.ForeignKey(
        CloudPartner,
        on_delete=models.PROTECT,
        related_name="authorisations",
        verbose_name=_("cloud partner"),
    )
    document = models.FileField(_("signed document"), upload_to=authorisation_path, max_length=255)
    document_name = models.CharField(_("document name"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    tenant_field = "account"
    objects = TenantManager.from_queryset(CloudPartnerAuthorisationQuerySet)()

    class Meta:
        ordering = ["account_id", "cloud_partner_id", "-valid_from"]
        verbose_name = _("cloud-partner authorisation")
        verbose_name_plural = _("cloud-partner authorisations")

    def __str__(self) -> str:
        return f"{self.account} · {self.cloud_partner} from {self.valid_from}"

    def covers(self, on) -> bool:  # type: ignore[no-untyped-def]
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class PartnerIncidentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    OPEN = "open", _("Open with partner")
    REFUSED = "refused", _("Partner would not open")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class PartnerIncident(TimeStamped):
    """R-SUP-4: an incident the vendor opened with a cloud partner for a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="partner_incidents")
    cloud_partner = models.ForeignKey(
        CloudPartner,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("cloud partner"),
    )
    authorisation = models.ForeignKey(
        CloudPartnerAuthorisation,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("authorisation"),
    )
    partner_ticket = models.CharField(_("partner ticket number"), max_length=64, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PartnerIncidentStatus.choices,
        default=PartnerIncidentStatus.REQUESTED,
    )
    findings = models.TextField(_("findings"), blank=True)
    result = models.TextField(_("result reported to the customer"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    tenant_field = "case__account"
    objects = TenantManager.from_queryset(CaseChildQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("cloud-partner incident")
        verbose_name_plural = _("cloud-partner incidents")

    def __str__(self) -> str:
        return f"{self.case.reference} · {self.cloud_partner} {self.partner_ticket}"


class PartnerIncidentUpdateKind(models.TextChoices):
    STATUS = "status", _("Status update")
    JOINT_CALL = "joint_call", _("Joint call")
    RESULT = "result", _("Result reported")
    FINDINGS = "findings", _("Findings")


class PartnerIncidentUpdate(models.Model):
    incident = models.ForeignKey(PartnerIncident, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=16, choices=PartnerIncidentUpdateKind.choices)
    at = models.DateTimeField()
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    tenant_field = "incident__case__account"
    objects = TenantManager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
