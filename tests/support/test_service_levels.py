"""R-SUP-2: deadlines on the right clock, across weekends, holidays, DST and pauses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fleetcare.support import services
from fleetcare.support.models import CaseStatus, Entitlement
from tests.factories import at

pytestmark = pytest.mark.django_db


def _open(actor, model, *, now, severity="S1", device=None, account=None):
    return services.open_case(
        actor=actor,
        data=services.OpenCaseInput(
            product_model=model,
            severity=severity,
            subject="No video",
            description="Black screen",
            device=device,
            account=account,
        ),
        now=now,
    )


def test_r_sup_2_pe_s1_on_24x7_clock_at_night_and_on_sunday(customer_user, pe_contract, model):
    # Sunday 2026-03-01 02:10 UTC: P+E S1 first response 30 min later, whatever the day.
    case = _open(customer_user, model, now=at("2026-03-01T02:10:00+00:00"))
    assert case.entitlement == Entitlement.ACCOUNT_WIDE
    assert case.first_response_due == at("2026-03-01T02:40:00+00:00")
    assert case.next_update_due == at("2026-03-01T04:10:00+00:00")
    assert case.solution_due == at("2026-03-02T02:10:00+00:00")
    assert case.earliest_due == case.first_response_due
    assert case.earliest_milestone == "first_response"


def test_r_sup_2_daas_s1_runs_on_partner_business_hours_over_the_weekend(
    partner_user, daas_device, model
):
    # Friday 2026-02-06 16:00 Toronto (21:00 UTC): 60 min Friday, 60 min Monday 09:00-10:00.
    case = _open(
        partner_user, model, now=at("2026-02-06T21:00:00+00:00"), device=daas_device.device
    )
    assert case.entitlement == Entitlement.PER_DEVICE
    assert case.first_response_due == at("2026-02-09T15:00:00+00:00")  # Mon 10:00 EST


def test_r_sup_2_daas_clock_skips_ontario_family_day(partner_user, daas_device, model):
    # Friday 2026-02-13 16:00 Toronto; Monday 16 February is Family Day in Ontario.
    case = _open(
        partner_user, model, now=at("2026-02-13T21:00:00+00:00"), device=daas_device.device
    )
    assert case.first_response_due == at("2026-02-17T15:00:00+00:00")  # Tue 10:00 EST


def test_r_sup_2_daas_clock_across_the_daylight_saving_change(partner_user, daas_device, model):
    # Friday 2026-03-06 16:00 EST; clocks go forward on Sunday 8 March; Monday 10:00 is EDT.
    case = _open(
        partner_user, model, now=at("2026-03-06T21:00:00+00:00"), device=daas_device.device
    )
    assert case.first_response_due == at("2026-03-09T14:00:00+00:00")  # Mon 10:00 EDT


def test_r_sup_2_waiting_on_customer_pauses_the_clock(customer_user, agent, pe_contract, model):
    opened = at("2026-03-02T08:00:00+00:00")
    case = _open(customer_user, model, now=opened, severity="S2")  # solution 3 days
    assert case.solution_due == opened + timedelta(days=3)
    services.add_reply(
        case,
        actor=agent,
        body="Please send logs",
        new_status=CaseStatus.WAITING_ON_CUSTOMER,
        now=opened + timedelta(minutes=30),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_ON_CUSTOMER
    assert case.earliest_due is None  # paused: nothing can breach
    assert case.clock_paused_since == opened + timedelta(minutes=30)
    # The customer answers two hours later: the clock resumes, deadlines move by 2 h.
    services.add_reply(
        case, actor=customer_user, body="Logs attached", now=opened + timedelta(hours=2, minutes=30)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.solution_due == opened + timedelta(days=3, hours=2)
    # the agent's reply was the first response; the next update counts from it, plus the pause
    assert case.first_responded_at == opened + timedelta(minutes=30)
    assert case.next_update_due == opened + timedelta(minutes=30) + timedelta(hours=8, minutes=120)
    assert case.earliest_due == case.next_update_due


def test_r_sup_2_daas_pause_over_a_weekend_only_counts_business_time(
    partner_user, agent, daas_device, model
):
    # Thursday 2026-02-05 09:00 Toronto (14:00 UTC), S2: 4 business hours first response.
    case = _open(
        partner_user,
        model,
        now=at("2026-02-05T14:00:00+00:00"),
        severity="S2",
        device=daas_device.device,
    )
    assert case.first_response_due == at("2026-02-05T18:00:00+00:00")
    # waiting on customer from Thursday 10:00 to Monday 10:00 local: 1 business day paused
    case.refresh_from_db()
    services.change_status(
        case,
        actor=agent,
        status=CaseStatus.WAITING_ON_CUSTOMER,
        now=at("2026-02-05T15:00:00+00:00"),
    )
    services.change_status(
        case, actor=agent, status=CaseStatus.IN_PROGRESS, now=at("2026-02-09T15:00:00+00:00")
    )
    case.refresh_from_db()
    # 1 h counted Thursday; 3 h left from Monday 10:00 → Monday 13:00 EST (18:00 UTC)
    assert case.first_response_due == at("2026-02-09T18:00:00+00:00")


def test_r_sup_2_solved_case_has_no_open_deadline(customer_user, agent, pe_contract, model):
    case = _open(customer_user, model, now=at("2026-03-02T08:00:00+00:00"))
    services.change_status(
        case, actor=agent, status=CaseStatus.SOLVED, now=at("2026-03-02T09:00:00+00:00")
    )
    case.refresh_from_db()
    assert case.earliest_due is None
    assert case.solved_at == at("2026-03-02T09:00:00+00:00")


def test_r_sup_2_not_entitled_case_has_no_clock(customer_user, model):
    case = _open(customer_user, model, now=at("2026-03-02T08:00:00+00:00"))
    assert case.entitlement == Entitlement.NONE
    assert case.paid_support_offered
    assert case.first_response_due is None and case.earliest_due is None
