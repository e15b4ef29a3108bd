"""R-PRG-1: a third programme from a TOML file alone, with no code change.

The file below is a per-device programme the vendor sells directly to a customer, with
8x5 support on the customer's own business calendar, no extended cover, no threshold,
its own replacement cut-off and return window. Nothing in ``src/`` names it: the test
drops the file in a directory listed in ``FLEETCARE_PROGRAMME_DIRS`` and runs a
subscription, a case with its service-level clock and a replacement order on it
through the ordinary services.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from fleetcare.daas import services as daas
from fleetcare.replacements import services as rma
from fleetcare.replacements.models import OrderStatus
from fleetcare.rules.programmes import PROGRAMME_DIRS_ENV, all_programmes, load_programme
from fleetcare.support import services as support
from fleetcare.support.models import Entitlement
from tests.factories import OrganisationFactory, SiteFactory, UserFactory, voice_model

pytestmark = pytest.mark.django_db

CODE = "direct_device_care"
PROGRAMME = f"""
code = "{CODE}"
name = "Direct Device Care"
kind = "per_device"
sold_by = "vendor"               # no partner: the vendor sells to the customer
case_openers = "customer"        # the customer's IT admins open cases
support_calendar = "customer"    # 8x5 on the customer's own business calendar
default_term_months = 24
covered_categories = ["voice", "video"]
replacement_cutoff_hour = 14     # approvals from 14:00 local count on the next day
return_window_business_days = 5
excluded_causes = ["fire", "intentional_damage", "theft", "loss"]
# no extended cover, no threshold, no region table (offered everywhere)

[service_levels.S1]
clock = "business_hours"
first_response_minutes = 60
update_minutes = 240
solution_minutes = 960
[service_levels.S2]
clock = "business_hours"
first_response_minutes = 240     # 4 business hours
update_minutes = 480
solution_minutes = 1920          # 4 business days of 8 hours
[service_levels.S3]
clock = "business_hours"
first_response_minutes = 480
update_minutes = 960
solution_minutes = 4800
[service_levels.S4]
clock = "business_hours"
first_response_minutes = 960
update_minutes = 2400
solution_minutes = 9600
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def third_programme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / f"{CODE}.toml").write_text(PROGRAMME, encoding="utf-8")
    monkeypatch.setenv(PROGRAMME_DIRS_ENV, str(tmp_path))
    return load_programme(CODE)


@pytest.fixture
def direct_customer(db):
    org = OrganisationFactory(name="Hudson Legal LLP", country="US", currency="USD")
    SiteFactory(
        organisation=org,
        name="Manhattan",
        country="US",
        subdivision="US-NY",
        time_zone="America/New_York",
    )
    return org


@pytest.fixture
def staff(vendor):
    return {
        role: UserFactory(organisation=vendor, role=role, username=role)
        for role in ("csm", "support_agent", "service_operations")
    }


@pytest.fixture
def subscription(third_programme, direct_customer, staff):
    sub = daas.create_subscription(
        actor=staff["csm"],
        customer=direct_customer,
        site=direct_customer.sites.get(),
        items=[daas.EnrolmentItem(voice_model(name="CCX 600"), 2)],
        programme_code=CODE,
        on=date(2026, 5, 1),
    )
    daas.record_delivery(
        actor=staff["service_operations"], subscription=sub, delivered_on=date(2026, 5, 4)
    )
    return sub


def _open(actor, device, now):
    return support.open_case(
        actor=actor,
        data=support.OpenCaseInput(
            product_model=device.product_model,
            severity="S2",
            subject="Handset dead",
            description="No power after the firmware update.",
            device=device,
        ),
        now=now,
    )


def test_r_prg_1_the_programme_comes_from_the_file(third_programme):
    assert third_programme.kind == "per_device" and third_programme.sold_by == "vendor"
    assert not third_programme.has_extended_cover


def test_r_prg_1_a_vendor_sold_per_device_subscription_has_no_partner(
    subscription, third_programme
):
    assert subscription.programme_code == CODE and subscription.partner is None
    assert subscription.term_months == 24  # the programme's default term
    device = subscription.devices.first()
    assert (device.term_start, device.term_end) == (date(2026, 5, 4), date(2028, 5, 3))


def test_r_prg_1_only_vendor_staff_sell_a_vendor_sold_programme(
    third_programme, direct_customer, partner_user, customer_user
):
    for actor in (partner_user, customer_user):
        with pytest.raises(PermissionDenied):
            daas.create_subscription(
                actor=actor,
                customer=direct_customer,
                site=direct_customer.sites.get(),
                items=[daas.EnrolmentItem(voice_model(), 1)],
                programme_code=CODE,
                on=date(2026, 5, 1),
            )


def test_r_prg_1_case_on_the_customers_own_holiday_aware_calendar(subscription, direct_customer):
    admin = UserFactory(organisation=direct_customer, role="customer_admin")
    enrolment = subscription.devices.first()
    # Friday 22 May 2026 16:30 in New York; Monday 25 May is Memorial Day.
    case = _open(admin, enrolment.device, at("2026-05-22T16:30:00-04:00"))
    assert case.entitlement == Entitlement.PER_DEVICE
    assert case.programme_code == CODE and case.daas_device == enrolment
    assert case.opened_by_partner is None
    assert case.entitled_until == date(2028, 5, 3)
    # S2 first response, 4 business hours: 30 min on Friday, 3 h 30 on Tuesday.
    assert case.first_response_due == at("2026-05-26T12:30:00-04:00")
    # S2 solution, 4 business days of 8 h: Fri 30 min, Tue-Thu, Fri 29 until 16:30.
    assert case.solution_due == at("2026-05-29T16:30:00-04:00")


def test_r_prg_1_replacement_order_with_the_programmes_dates(subscription, direct_customer, staff):
    admin = UserFactory(organisation=direct_customer, role="customer_admin")
    enrolment = subscription.devices.first()
    case = _open(admin, enrolment.device, at("2026-05-22T16:30:00-04:00"))
    agent, ops = staff["support_agent"], staff["service_operations"]
    site = direct_customer.sites.get()
    order = rma.request_replacement(
        actor=agent,
        case=case,
        cause="hardware_fault",
        delivery_site=site,
        now=at("2026-05-26T13:00:00-04:00"),
    )
    assert order.status == OrderStatus.REQUESTED
    assert order.programme == CODE and order.partner is None
    assert order.subscribed_device == enrolment and order.enterprise_contract is None
    assert not order.threshold_flag  # the programme has no threshold
    # Approved Tuesday 14:30 local, after the programme's 14:00 cut-off: it counts on
    # Wednesday, so the target is Thursday.
    order = rma.approve(order, actor=agent, now=at("2026-05-26T14:30:00-04:00"))
    assert order.delivery_target == date(2026, 5, 28)
    order = rma.ship(
        order,
        actor=ops,
        carrier="UPS",
        tracking_number="1Z999",
        now=at("2026-05-26T17:00:00-04:00"),
    )
    order = rma.deliver(order, actor=ops, delivered_on=date(2026, 5, 28))
    # Due back 5 business days after receipt (the programme's window): Thursday 4 June.
    assert order.status == OrderStatus.AWAITING_RETURN
    assert order.return_due == date(2026, 6, 4)


def test_r_prg_1_no_extended_cover_so_a_spill_is_refused(subscription, direct_customer, staff):
    admin = UserFactory(organisation=direct_customer, role="customer_admin")
    enrolment = subscription.devices.first()
    case = _open(admin, enrolment.device, at("2026-05-22T16:30:00-04:00"))
    order = rma.request_replacement(
        actor=staff["support_agent"],
        case=case,
        cause="spill",
        delivery_site=direct_customer.sites.get(),
        now=at("2026-05-26T13:00:00-04:00"),
    )
    assert order.status == OrderStatus.REJECTED
    assert "Direct Device Care covers hardware faults only" in order.rejection_reason


def test_r_prg_1_the_founding_programmes_are_unchanged(third_programme):
    assert load_programme("device_as_a_service").replacement_threshold == Decimal("0.02")


def test_r_prg_1_no_code_names_a_programme():
    """Code branches on kind and features: no programme code is written outside the
    programme files (migrations keep the historical values)."""
    src = Path(__file__).resolve().parents[1] / "src" / "fleetcare"
    codes = [p.code for p in all_programmes()]
    offenders = []
    for path in src.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(src)}: {c}" for c in codes if c in text]
    assert offenders == []
