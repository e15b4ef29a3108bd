"""Replacement orders: states, dates, charges, destruction, threshold (R-RMA-1..6, R-DS-5)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from fleetcare.billing.models import DocumentStatus
from fleetcare.billing.services import issue_document
from fleetcare.core.jobs import run_job
from fleetcare.core.models import ChangeLogEntry
from fleetcare.daas.models import SubscribedDevice
from fleetcare.fleet.models import Device
from fleetcare.replacements import services as rma
from fleetcare.replacements.models import OrderStatus, ReplacementOrder
from tests.factories import at, make_case, pe_contract, pe_device, subscribe, voice_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def pe_order(customer, customer_user, agent):
    model = voice_model(list_price=Decimal("499.00"))
    contract = pe_contract(customer)
    device = pe_device(customer, model)
    case = make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        device=device,
        contract=contract,
    )
    return rma.request_replacement(
        actor=agent,
        case=case,
        cause="hardware_fault",
        delivery_site=customer.sites.first(),
        now=at("2026-04-27 09:00"),
    )


def _to_awaiting_return(order, agent, ops, delivered_on=date(2026, 4, 30)):
    rma.approve(order, actor=agent, now=at("2026-04-28 10:00"))
    rma.ship(order, actor=ops, carrier="DHL", tracking_number="JD0001", now=at("2026-04-28 17:00"))
    return rma.deliver(order, actor=ops, delivered_on=delivered_on)


def test_r_rma_1_full_lifecycle_in_order(pe_order, agent, ops):
    assert pe_order.status == OrderStatus.REQUESTED
    assert pe_order.service_centre == "emea"
    assert pe_order.get_service_centre_display() == "Service centre EMEA"
    order = _to_awaiting_return(pe_order, agent, ops)
    assert order.status == OrderStatus.AWAITING_RETURN
    order = rma.receive_return(order, actor=ops, returned_on=date(2026, 5, 6))
    assert order.status == OrderStatus.RETURNED
    order = rma.close(order, actor=ops)
    assert order.status == OrderStatus.CLOSED
    actions = list(
        ChangeLogEntry.objects.filter(object_id=str(order.pk), action__startswith="replacement.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "replacement.requested",
        "replacement.approved",
        "replacement.shipped",
        "replacement.delivered",
        "replacement.awaiting_return",
        "replacement.returned",
        "replacement.closed",
    ]


def test_r_rma_1_out_of_order_transitions_refused_with_reason(pe_order, agent, ops):
    with pytest.raises(ValidationError, match="is requested: it can only be shipped when approved"):
        rma.ship(pe_order, actor=ops, carrier="DHL", tracking_number="X")
    with pytest.raises(ValidationError, match="only be returned"):
        rma.receive_return(pe_order, actor=ops, returned_on=date(2026, 5, 1))
    rma.approve(pe_order, actor=agent, now=at("2026-04-28 10:00"))
    with pytest.raises(ValidationError, match="is approved"):
        rma.approve(pe_order, actor=agent)


def test_only_the_right_roles_move_an_order(pe_order, customer_user, agent, ops):
    with pytest.raises(PermissionDenied):
        rma.approve(pe_order, actor=customer_user)
    with pytest.raises(PermissionDenied):
        rma.approve(pe_order, actor=ops)
    rma.approve(pe_order, actor=agent, now=at("2026-04-28 10:00"))
    with pytest.raises(PermissionDenied):
        rma.ship(pe_order, actor=agent, carrier="DHL", tracking_number="X")


def test_r_rma_2_delivery_target_next_business_day_and_cutoff(pe_order, agent):
    # Friday 2026-03-06 10:00 Paris → Monday; a second order after the 15:00 cut-off → Tuesday.
    order = rma.approve(pe_order, actor=agent, now=at("2026-03-06 10:00"))
    assert order.delivery_target == date(2026, 3, 9)
    other = ReplacementOrder.objects.get(pk=order.pk)
    other.pk = None
    other.reference = "RMA-999999"
    other.status = OrderStatus.REQUESTED
    other.faulty_device = None
    other.save()
    late = rma.approve(other, actor=agent, now=at("2026-03-06 16:00"))
    assert late.delivery_target == date(2026, 3, 10)


def test_r_rma_3_return_due_across_french_may_holidays(pe_order, agent, ops):
    # Delivered Thu 2026-04-30. Holidays: Fri 1 May, Fri 8 May, Thu 14 May (Ascension).
    # Business days: 4,5,6,7,11,12,13,15,18,19 May → due Tue 2026-05-19.
    order = _to_awaiting_return(pe_order, agent, ops, delivered_on=date(2026, 4, 30))
    assert order.return_due == date(2026, 5, 19)
    assert "Service centre EMEA" in order.late_consequence


def test_r_rma_5_replacement_takes_the_faulty_units_place(pe_order, agent, ops):
    faulty = pe_order.faulty_device
    order = _to_awaiting_return(pe_order, agent, ops)
    faulty.refresh_from_db()
    assert faulty.status == "replaced"
    assert faulty.replaced_by == order.replacement_device
    assert order.replacement_device.product_model == faulty.product_model
    assert order.replacement_device.status == "active"


def test_r_rma_4_overdue_job_is_idempotent_and_charge_issued_marks_charged(
    pe_order, agent, ops, billing_user
):
    order = _to_awaiting_return(pe_order, agent, ops)
    first = run_job("replacements.overdue_returns", at("2026-05-19 23:00"))
    assert first == {"overdue": 0, "charges_raised": 0}  # due that day: not yet late
    result = run_job("replacements.overdue_returns", at("2026-05-20 09:00"))
    assert result == {"overdue": 1, "charges_raised": 1}
    again = run_job("replacements.overdue_returns", at("2026-05-21 09:00"))
    assert again == {"overdue": 0, "charges_raised": 0}
    order.refresh_from_db()
    assert order.status == OrderStatus.OVERDUE
    charge = order.charge_document
    assert charge.status == DocumentStatus.DRAFT
    assert charge.purpose == "unreturned_unit_charge"
    assert charge.subtotal == Decimal("499.00")
    issue_document(charge, actor=billing_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.CHARGED


def test_r_rma_4_late_return_before_invoicing_cancels_the_charge(pe_order, agent, ops):
    order = _to_awaiting_return(pe_order, agent, ops)
    rma.mark_overdue_returns(at("2026-05-20 09:00"))
    order.refresh_from_db()
    order = rma.receive_return(order, actor=ops, returned_on=date(2026, 5, 22))
    assert order.status == OrderStatus.RETURNED
    order.charge_document.refresh_from_db()
    assert order.charge_document.status == DocumentStatus.VOID


def test_r_rma_6_destruction_only_with_the_contract_option(customer, customer_user, agent, ops):
    model = voice_model()
    site = customer.sites.first()
    without = make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        device=pe_device(customer, model),
        contract=pe_contract(customer),
    )
    with pytest.raises(ValidationError, match="On-site destruction needs the option"):
        rma.request_replacement(
            actor=agent,
            case=without,
            cause="hardware_fault",
            delivery_site=site,
            onsite_destruction=True,
        )
    assert not ReplacementOrder.objects.exists()

    contract = pe_contract(
        customer, onsite_destruction=True, start=date(2027, 1, 1), end=date(2027, 12, 31)
    )
    case = make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        device=pe_device(customer, model),
        contract=contract,
    )
    order = rma.request_replacement(
        actor=agent,
        case=case,
        cause="hardware_fault",
        delivery_site=site,
        onsite_destruction=True,
        now=at("2026-04-27 09:00"),
    )
    rma.approve(order, actor=agent, now=at("2026-04-28 10:00"))
    rma.ship(order, actor=ops, carrier="UPS", tracking_number="1Z", now=at("2026-04-28 17:00"))
    order = rma.deliver(order, actor=ops, delivered_on=date(2026, 4, 30))
    assert order.status == OrderStatus.DELIVERED and order.return_due is None
    with pytest.raises(ValidationError) as exc:
        rma.record_destruction(
            order,
            actor=ops,
            certificate=None,
            certificate_number="",
            destroyed_on=date(2026, 5, 2),
            destroyed_by="",
        )
    assert set(exc.value.message_dict) == {"certificate", "certificate_number", "destroyed_by"}
    order = rma.record_destruction(
        order,
        actor=ops,
        certificate=ContentFile(b"%PDF-1.4 cert", name="cert.pdf"),
        certificate_number="CD-2026-0042",
        destroyed_on=date(2026, 5, 2),
        destroyed_by="ShredCo on site",
    )
    assert order.status == OrderStatus.DESTROYED
    assert order.destruction_certificate.name.endswith(".pdf")
    assert order.closed_at is not None
    # never overdue: no return expected
    assert rma.mark_overdue_returns(at("2026-09-01 09:00")) == {"overdue": 0, "charges_raised": 0}


def test_r_rma_1_not_entitled_or_excluded_cause_is_rejected_with_reason(
    customer, customer_user, agent
):
    model = voice_model()
    site = customer.sites.first()
    case = make_case(customer, customer_user, entitlement="none", product_model=model)
    order = rma.request_replacement(actor=agent, case=case, cause="theft", delivery_site=site)
    assert order.status == OrderStatus.REJECTED
    assert "not entitled" in order.rejection_reason
    assert "never covered" in order.rejection_reason


def test_bad_input_names_the_field_and_saves_nothing(
    customer, other_customer, customer_user, agent
):
    model = voice_model()
    case = make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        contract=pe_contract(customer),
    )
    with pytest.raises(ValidationError) as exc:
        rma.request_replacement(
            actor=agent,
            case=case,
            cause="meteor",
            delivery_site=other_customer.sites.first(),
            faulty_device=pe_device(other_customer, model),
        )
    assert set(exc.value.message_dict) == {"cause", "delivery_site", "faulty_device"}
    assert not ReplacementOrder.objects.exists()


# --- DaaS ------------------------------------------------------------------------------


def _daas_case(daas_customer, partner, partner_user, sub, index=0):
    enrolment = sub.devices.order_by("id")[index]
    return make_case(
        daas_customer,
        partner_user,
        entitlement="per_device",
        product_model=enrolment.product_model,
        device=enrolment.device,
        daas_device=enrolment,
        partner=partner,
    )


def test_worked_numbers_threshold_150_voice_devices_4th_flagged(
    daas_customer, partner, partner_user, agent
):
    model = voice_model()
    sub = subscribe(
        partner_user, daas_customer, model, 150, extended_cover=True, delivered_on=date(2026, 1, 5)
    )
    site = daas_customer.sites.first()
    flags = []
    for i in range(4):
        case = _daas_case(daas_customer, partner, partner_user, sub, i)
        order = rma.request_replacement(
            actor=partner_user,
            case=case,
            cause="spill",
            delivery_site=site,
            now=at("2026-03-02 10:00", "America/Toronto"),
        )
        flags.append((order.threshold_flag, order.threshold_rate))
    assert flags == [
        (False, Decimal("0.67")),
        (False, Decimal("1.33")),
        (False, Decimal("2.00")),
        (True, Decimal("2.67")),
    ]
    order = ReplacementOrder.objects.get(threshold_flag=True)
    assert order.threshold_decision == "pending"
    assert order.partner == partner
    assert order.service_centre == "north_america"
    assert order.get_service_centre_display() == "Service centre North America"


def test_r_ds_5_billing_decides_charge_or_waive(
    daas_customer, partner, partner_user, agent, billing_user
):
    model = voice_model()
    sub = subscribe(
        partner_user, daas_customer, model, 50, extended_cover=True, delivered_on=date(2026, 1, 5)
    )
    site = daas_customer.sites.first()
    orders = [
        rma.request_replacement(
            actor=partner_user,
            case=_daas_case(daas_customer, partner, partner_user, sub, i),
            cause="drop",
            delivery_site=site,
        )
        for i in range(2)
    ]
    assert [o.threshold_flag for o in orders] == [False, True]  # 1/50 = 2 % within, 2/50 over
    flagged = orders[1]
    with pytest.raises(PermissionDenied):
        rma.decide_threshold(flagged, actor=agent, decision="charge")
    flagged = rma.decide_threshold(flagged, actor=billing_user, decision="charge")
    doc = flagged.threshold_document
    assert doc.purpose == "threshold_charge" and doc.addressed_to == partner
    assert doc.subtotal == Decimal("499.00")
    with pytest.raises(ValidationError, match="not awaiting"):
        rma.decide_threshold(flagged, actor=billing_user, decision="waive")


def test_r_ds_4_spill_without_extended_cover_rejected(daas_customer, partner, partner_user):
    sub = subscribe(partner_user, daas_customer, voice_model(), 3, delivered_on=date(2026, 1, 5))
    case = _daas_case(daas_customer, partner, partner_user, sub)
    order = rma.request_replacement(
        actor=partner_user, case=case, cause="spill", delivery_site=daas_customer.sites.first()
    )
    assert order.status == OrderStatus.REJECTED
    assert "only by extended cover" in order.rejection_reason


def test_r_rma_5_daas_replacement_keeps_the_original_term(
    daas_customer, partner, partner_user, agent, ops
):
    sub = subscribe(partner_user, daas_customer, voice_model(), 2, delivered_on=date(2026, 1, 5))
    case = _daas_case(daas_customer, partner, partner_user, sub)
    order = rma.request_replacement(
        actor=partner_user,
        case=case,
        cause="hardware_fault",
        delivery_site=daas_customer.sites.first(),
        now=at("2026-06-01 09:00", "America/Toronto"),
    )
    rma.approve(order, actor=agent, now=at("2026-06-01 10:00", "America/Toronto"))
    rma.ship(
        order,
        actor=ops,
        carrier="Purolator",
        tracking_number="P1",
        replacement_serial="SN-NEW-1",
        now=at("2026-06-01 16:00", "America/Toronto"),
    )
    order = rma.deliver(order, actor=ops, delivered_on=date(2026, 6, 2))
    old = case.daas_device
    new = order.replacement_subscribed_device
    assert new.replaces == old
    assert (new.term_start, new.term_end) == (date(2026, 1, 5), date(2029, 1, 4))
    assert new.device.serial_number == "SN-NEW-1"
    assert Device.objects.get(pk=old.device_id).status == "replaced"
    assert SubscribedDevice.objects.filter(subscription=sub, replaced_by__isnull=True).count() == 2
    # the due date uses Ontario's calendar: 10 business days after Tue 2 June 2026
    assert order.return_due == date(2026, 6, 16)


def test_tomorrow_guard_on_deliveries(pe_order, agent, ops):
    rma.approve(pe_order, actor=agent, now=at("2026-04-28 10:00"))
    rma.ship(pe_order, actor=ops, carrier="DHL", tracking_number="X", now=at("2026-04-28 17:00"))
    with pytest.raises(ValidationError, match="future"):
        rma.deliver(pe_order, actor=ops, delivered_on=date.today() + timedelta(days=5))


def test_r_ds_5_threshold_overview_says_when_the_year_is_already_over(
    daas_customer, partner, partner_user
):
    from fleetcare.daas.services import threshold_overview

    model = voice_model()
    sub = subscribe(
        partner_user, daas_customer, model, 50, extended_cover=True, delivered_on=date(2026, 1, 5)
    )
    site = daas_customer.sites.first()
    on = date(2026, 6, 1)
    view = threshold_overview(daas_customer.pk, on)
    assert (view.replacements, view.over_threshold, view.next_is_chargeable) == (0, False, False)
    rma.request_replacement(
        actor=partner_user,
        case=_daas_case(daas_customer, partner, partner_user, sub, 0),
        cause="drop",
        delivery_site=site,
    )
    view = threshold_overview(daas_customer.pk, date.today())
    # 1 of 50 = 2 %: within (strict), and the next one would be over.
    assert (view.replacements, view.over_threshold, view.next_is_chargeable) == (1, False, True)
    rma.request_replacement(
        actor=partner_user,
        case=_daas_case(daas_customer, partner, partner_user, sub, 1),
        cause="drop",
        delivery_site=site,
    )
    view = threshold_overview(daas_customer.pk, date.today())
    assert (view.replacements, view.over_threshold) == (2, True)
