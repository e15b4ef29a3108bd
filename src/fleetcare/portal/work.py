"""The work each role finds on its home page (docs/portal.md, "The home page").

:func:`work_for` gives the lists of the reader's role, in the order they are shown. Each
list is a few records (each a link to the record) with a bounded count ("100+") and a
link to the full list, shown only when the reader may open it. Every list is at most two
queries, on indexed columns, whatever the number of records: a home page costs the same
at ten cases as at ten million.

Texts are the reader's: titles are lazy translations, the rows are rendered by the
row templates in ``portal/home/work/`` in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models as db
from django.db.models import Count, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleetcare.billing.models import Document, DocumentKind, DocumentStatus
from fleetcare.billing.permissions import can_browse_documents
from fleetcare.contracts.models import Adjustment, ContractStatus, EnterpriseContract
from fleetcare.contracts.permissions import can_browse_contracts
from fleetcare.core.permissions import (
    can,
    has_role,
    is_superuser,
    programme_kinds,
    takes_programme_kind,
)
from fleetcare.core.programmes import ProgrammeKind, programme
from fleetcare.core.roles import Role
from fleetcare.core.tenancy import scope_of
from fleetcare.daas.models import SubscribedDevice, Subscription, SubscriptionStatus
from fleetcare.daas.permissions import can_browse_subscriptions
from fleetcare.organisations.models import Organisation
from fleetcare.replacements.models import OPEN_STATUSES as OPEN_ORDER_STATUSES
from fleetcare.replacements.models import OrderStatus, ReplacementOrder, ThresholdDecision
from fleetcare.replacements.permissions import can_browse_replacements
from fleetcare.reports import services as reports
from fleetcare.reports.permissions import can_view_monthly_report
from fleetcare.rules import daas as daas_rules
from fleetcare.rules import replacement as rma_rules
from fleetcare.support.models import Case, Escalation, EscalationStatus
from fleetcare.support.permissions import can_browse_cases, can_manage_escalations, is_agent

SHOWN = 5  # records listed per list
COUNT_CAP = 100  # counted up to this, then "100+"
NEAR_BREACH = timedelta(hours=4)  # an open deadline this close counts as near breach
RENEWAL_WINDOW = timedelta(days=90)


@dataclass
class WorkList:
    """One list of work: ``rows`` are records, ``row_template`` renders one of them."""

    key: str
    title: Any
    rows: list[Any]
    count: int
    capped: bool
    row_template: str
    empty: Any
    more_url: str | None = None

    @property
    def count_text(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.count)


@dataclass
class Work:
    lists: list[WorkList] = field(default_factory=list)
    baseline: Any = None  # a customer's fleet against its baseline (FleetBaseline)
    thresholds: list[Any] = field(default_factory=list)  # a partner's customers (ThresholdRow)
    partner_view: bool = False


def _bounded(qs: QuerySet) -> tuple[list[Any], int, bool]:
    """The first :data:`SHOWN` records and the count, capped: one query when they all
    fit, two otherwise (the count of a LIMITed subquery)."""
    rows = list(qs[:SHOWN])
    if len(rows) < SHOWN:
        return rows, len(rows), False
    count = qs.order_by()[: COUNT_CAP + 1].count()
    return rows, min(count, COUNT_CAP), count > COUNT_CAP


def _mark_due(work_list: WorkList, now: datetime) -> WorkList:
    """Cases: whether the earliest open deadline has passed (shown as "past due")."""
    for case in work_list.rows:
        case.past_due = case.earliest_due is not None and case.earliest_due <= now
        # Within a minute either way: "0 minutes" says nothing; the page says "just".
        case.due_this_minute = case.earliest_due is not None and abs(
            case.earliest_due - now
        ) < timedelta(minutes=1)
    return work_list


def _url(
    user: Any, predicate: Callable[..., bool] | None, name: str, query: str = ""
) -> str | None:
    """The full list's address, for a reader who may open it."""
    if predicate is not None and not can(user, predicate):
        return None
    return reverse(name) + (f"?{query}" if query else "")


def _list(
    key: str,
    title: Any,
    qs: QuerySet,
    row: str,
    empty: Any,
    more_url: str | None = None,
) -> WorkList:
    rows, count, capped = _bounded(qs)
    return WorkList(
        key, title, rows, count, capped, f"portal/home/work/_{row}.html", empty, more_url
    )


def _mine_first(field_name: str, user: Any) -> db.Case:
    """Order key: the reader's own records (0) before the others (1)."""
    return db.Case(
        When(**{field_name: user.pk}, then=Value(0)),
        default=Value(1),
        output_field=db.IntegerField(),
    )


# --- the vendor's roles ---------------------------------------------------------------


def _cases_near_breach(user: Any, now: datetime, *, mine: bool) -> WorkList:
    qs = (
        Case.objects.visible_to(user)
        .open()
        .filter(earliest_due__lte=now + NEAR_BREACH)
        .select_related("account", "owner")
        .order_by("earliest_due", "id")
    )
    if mine:
        qs = qs.filter(owner=user)
        return _list(
            "my-breaches",
            _("My cases near or past breach"),
            qs,
            "case_due",
            _("None of your cases is near a breach."),
            _url(user, is_agent, "support:queue", "mine=1"),
        )
    return _list(
        "breaches",
        _("Cases near or past breach"),
        qs,
        "case_due",
        _("No case is near a breach."),
        _url(user, is_agent, "support:queue"),
    )


def _unassigned_cases(user: Any) -> WorkList:
    qs = (
        Case.objects.visible_to(user)
        .open()
        .filter(owner__isnull=True)
        .select_related("account")
        .order_by(F("earliest_due").asc(nulls_last=True), "opened_at", "id")
    )
    return _list(
        "unassigned",
        _("Unassigned cases"),
        qs,
        "case_due",
        _("Every open case has an owner."),
        _url(user, is_agent, "support:queue"),
    )


def _open_escalations(user: Any) -> WorkList:
    qs = (
        Escalation.objects.visible_to(user)
        .filter(status=EscalationStatus.OPEN)
        .select_related("case__account", "owner")
        .order_by(_mine_first("owner_id", user), "escalated_at", "id")
    )
    return _list(
        "escalations",
        _("Open escalations"),
        qs,
        "escalation",
        _("No open escalation."),
        _url(user, can_manage_escalations, "support:escalations"),
    )


def _orders(user: Any) -> QuerySet:
    return ReplacementOrder.objects.visible_to(user).select_related("account", "delivery_site")


def _orders_to_ship(user: Any) -> WorkList:
    qs = (
        _orders(user)
        .shipping_queue()
        .order_by(F("delivery_target").asc(nulls_last=True), "approved_at", "id")
    )
    return _list(
        "to-ship",
        _("Orders to ship"),
        qs,
        "order",
        _("Nothing to ship."),
        _url(user, can_browse_replacements, "replacements:list", "queue=shipping"),
    )


def _deliveries_due(user: Any, today: date) -> WorkList:
    qs = (
        _orders(user)
        .filter(status=OrderStatus.SHIPPED, delivery_target__lte=today)
        .order_by("delivery_target", "shipped_at", "id")
    )
    return _list(
        "deliveries-due",
        _("Deliveries due"),
        qs,
        "order",
        _("No delivery is due."),
        _url(user, can_browse_replacements, "replacements:list", "status=shipped"),
    )


def _returns_overdue(user: Any) -> WorkList:
    qs = _orders(user).filter(status=OrderStatus.OVERDUE).order_by("return_due", "id")
    return _list(
        "returns-overdue",
        _("Returns overdue"),
        qs,
        "order",
        _("No return is overdue."),
        _url(user, can_browse_replacements, "replacements:list", "status=overdue"),
    )


def _threshold_decisions(user: Any) -> WorkList:
    qs = (
        _orders(user)
        .filter(threshold_flag=True, threshold_decision=ThresholdDecision.PENDING)
        .order_by("requested_at", "id")
    )
    return _list(
        "threshold-decisions",
        _("Threshold decisions waiting"),
        qs,
        "order",
        _("No replacement waits for a threshold decision."),
        _url(user, can_browse_replacements, "replacements:list", "queue=flagged"),
    )


def _drafts(user: Any) -> WorkList:
    qs = (
        Document.objects.visible_to(user)
        .filter(status=DocumentStatus.DRAFT)
        .select_related("account", "addressed_to")
        .order_by("created_at", "id")
    )
    return _list(
        "drafts",
        _("Drafts to issue"),
        qs,
        "document",
        _("No draft waits to be issued."),
        _url(user, can_browse_documents, "billing:documents", "status=draft"),
    )


def _my_accounts(user: Any) -> WorkList:
    qs = Organisation.objects.visible_to(user).filter(csm=user).order_by("name", "id")
    return _list(
        "my-accounts",
        _("My accounts"),
        qs,
        "account",
        _("No account is assigned to you yet."),
        reverse("portal:home") + "?mine=1#organisations-title",
    )


def _adjustments_due(user: Any) -> WorkList:
    qs = (
        Adjustment.objects.visible_to(user)
        .open()
        .select_related("contract__account", "contract_category__category")
        .order_by(_mine_first("contract__account__csm_id", user), "month", "id")
    )
    return _list(
        "adjustments-due",
        _("Adjustments due"),
        qs,
        "adjustment",
        _("No adjustment is due."),
        _url(user, can_browse_contracts, "contracts:list"),
    )


def _renewals(user: Any, today: date) -> WorkList:
    qs = (
        EnterpriseContract.objects.visible_to(user)
        .filter(
            status=ContractStatus.ACTIVE,
            start_date__lte=today,
            end_date__gte=today,
            end_date__lte=today + RENEWAL_WINDOW,
        )
        .select_related("account")
        .order_by(_mine_first("account__csm_id", user), "end_date", "id")
    )
    return _list(
        "renewals",
        _("Renewals within 90 days"),
        qs,
        "contract",
        _("No contract ends in the next 90 days."),
        _url(user, can_browse_contracts, "contracts:list", "mine=1"),
    )


# --- customers, partners, distributors ------------------------------------------------


def _open_cases(user: Any, title: Any, key: str = "open-cases") -> WorkList:
    qs = (
        Case.objects.visible_to(user)
        .open()
        .select_related("account")
        .order_by(F("earliest_due").asc(nulls_last=True), "-opened_at", "id")
    )
    return _list(
        key,
        title,
        qs,
        "case_due",
        _("No open case."),
        _url(user, can_browse_cases, "support:cases"),
    )


def _replacements_in_flight(user: Any) -> WorkList:
    qs = _orders(user).filter(status__in=OPEN_ORDER_STATUSES).order_by("-requested_at", "-id")
    return _list(
        "replacements",
        _("Replacements in flight"),
        qs,
        "order",
        _("No replacement in flight."),
        _url(user, can_browse_replacements, "replacements:list", "queue=open"),
    )


def _subscriptions(user: Any) -> WorkList:
    qs = (
        Subscription.objects.visible_to(user)
        .filter(status=SubscriptionStatus.ACTIVE)
        .select_related("customer", "site")
        .order_by("-created_at", "-id")
    )
    return _list(
        "subscriptions",
        _("Subscriptions"),
        qs,
        "subscription",
        _("No active subscription."),
        _url(user, can_browse_subscriptions, "daas:list"),
    )


def _quotes(user: Any) -> WorkList:
    qs = (
        Document.objects.visible_to(user)
        .filter(kind=DocumentKind.QUOTE, addressed_to_id=user.organisation_id)
        .select_related("account", "addressed_to")
        .order_by(F("issued_on").desc(nulls_last=True), "-id")
    )
    return _list(
        "quotes",
        _("Quotes addressed to you"),
        qs,
        "document",
        _("No quote is addressed to your organisation."),
        _url(user, can_browse_documents, "billing:documents", f"kind={DocumentKind.QUOTE}"),
    )


@dataclass
class FleetBaseline:
    """A customer's fleet against its baseline this month (the monthly report's rows) and
    the contract whose chart (``reports:chart``) is shown."""

    month: date
    rows: list[Any]
    contract: Any


def fleet_against_baseline(user: Any, today: date) -> FleetBaseline | None:
    """The monthly report's figures for the reader's account at this month's end, for a
    customer that takes an account-wide programme; None otherwise. Constant queries."""
    if not (
        can(user, can_view_monthly_report)
        and takes_programme_kind(user, ProgrammeKind.ACCOUNT_WIDE)
    ):
        return None
    month = today.replace(day=1)
    report = reports.monthly_report(user=user, month=month, account_id=user.organisation_id)
    contract = (
        EnterpriseContract.objects.visible_to(user)
        .in_force(today)
        .filter(account_id=user.organisation_id)
        .order_by("start_date", "id")
        .first()
    )
    if contract is None and not report.rows:
        return None
    return FleetBaseline(month, [r for r in report.rows if r.contract_id], contract)


@dataclass
class ThresholdRow:
    customer_id: int
    customer_name: str
    programme_name: str
    devices: int
    replacements: int
    rate_pct: Decimal | None
    threshold_pct: Decimal
    over: bool
    next_is_chargeable: bool


def partner_thresholds(user: Any, today: date) -> list[ThresholdRow]:
    """R-DS-5 for each customer the partner sold to, per programme with a yearly
    threshold: devices under contract, extended-cover replacements this year, rate.
    Two grouped queries for every customer at once."""
    devices = (
        SubscribedDevice.objects.visible_to(user)
        .filter(
            subscription__status=SubscriptionStatus.ACTIVE,
            enrolled_on__lte=today,
            replaced_by__isnull=True,
        )
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
        .values_list(
            "subscription__customer_id",
            "subscription__customer__name",
            "subscription__programme_code",
        )
        .order_by()
    )
    counted: dict[tuple[int, str], int] = defaultdict(int)
    names: dict[int, str] = {}
    for customer_id, name, code, n in devices.annotate(n=Count("id")):
        counted[(customer_id, code)] += n
        names[customer_id] = name
    if not counted:
        return []
    orders = (
        ReplacementOrder.objects.visible_to(user)
        .filter(account_id__in=list(names), requested_at__year=today.year)
        .exclude(status=OrderStatus.REJECTED)
        .values_list("account_id", "programme", "cause")
        .order_by()
        .annotate(n=Count("id"))
    )
    replaced: dict[tuple[int, str], int] = defaultdict(int)
    for account_id, code, cause, n in orders:
        try:
            if cause in programme(code).extended_cover_causes:
                replaced[(account_id, code)] += n
        except ValueError:
            continue
    rows = []
    for (customer_id, code), n_devices in sorted(
        counted.items(), key=lambda item: (names[item[0][0]].lower(), item[0][1])
    ):
        try:
            p = programme(code)
        except ValueError:  # a programme whose file is gone: nothing to measure against
            continue
        if p.replacement_threshold is None:
            continue
        n = replaced[(customer_id, code)]
        current = daas_rules.threshold_status(n, n_devices, p.replacement_threshold)
        nxt = daas_rules.next_replacement_status(n, n_devices, p.replacement_threshold)
        rows.append(
            ThresholdRow(
                customer_id,
                names[customer_id],
                p.name,
                n_devices,
                n,
                current.rate_pct,
                p.replacement_threshold * 100,
                current.chargeable,
                nxt.chargeable,
            )
        )
    return rows


# --- by role --------------------------------------------------------------------------


def work_for(user: Any, *, now: datetime | None = None) -> Work:
    """The reader's work lists (empty for a role with none, e.g. a DaaS end user)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    role = getattr(user, "role", None)
    scope = scope_of(user)
    work = Work()
    if scope.is_vendor:
        if is_superuser(user) or has_role(user, Role.VENDOR_ADMIN, admin_too=False):
            work.lists = [
                _unassigned_cases(user),
                _open_escalations(user),
                _orders_to_ship(user),
                _drafts(user),
                _threshold_decisions(user),
            ]
        elif role == Role.SUPPORT_AGENT:
            work.lists = [_cases_near_breach(user, now, mine=True), _unassigned_cases(user)]
        elif role == Role.ESCALATION_MANAGER:
            work.lists = [_open_escalations(user), _cases_near_breach(user, now, mine=False)]
        elif role == Role.SERVICE_OPERATIONS:
            work.lists = [
                _orders_to_ship(user),
                _deliveries_due(user, today),
                _returns_overdue(user),
            ]
        elif role == Role.CSM:
            work.lists = [_my_accounts(user), _adjustments_due(user), _renewals(user, today)]
        elif role == Role.BILLING:
            work.lists = [_drafts(user), _threshold_decisions(user)]
    elif scope.is_customer and role == Role.CUSTOMER_ADMIN:
        work.baseline = fleet_against_baseline(user, today)
        work.lists = [_open_cases(user, _("Open cases")), _replacements_in_flight(user)]
        if ProgrammeKind.PER_DEVICE in programme_kinds(user):  # a DaaS customer's terms
            work.lists.append(_subscriptions(user))
    elif scope.is_partner:
        work.partner_view = True
        work.lists = [
            _open_cases(user, _("Your customers' open cases")),
            _subscriptions(user),
        ]
        work.thresholds = partner_thresholds(user, today)
    elif scope.is_distributor:
        work.lists = [_quotes(user)]
    for work_list in work.lists:
        if work_list.row_template.endswith("/_case_due.html"):
            _mark_due(work_list, now)
        elif work_list.row_template.endswith("/_order.html"):
            _mark_late(work_list, today)
    return work


def _mark_late(work_list: WorkList, today: date) -> WorkList:
    """Orders: a delivery target already past while the unit is not delivered (shown as
    late, so operations see it first in the row)."""
    for order in work_list.rows:
        order.delivery_late = order.status in (
            OrderStatus.APPROVED,
            OrderStatus.SHIPPED,
        ) and rma_rules.is_delivery_late(order.delivery_target, today)
    return work_list
