"""R-FLT-3, R-CAT-2, R-CAT-3, R-DS-3 (coverage and count exclusions) and R-DS-5 (the next
replacement and its price): pure rules, plain values, no database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcare.rules import daas
from fleetcare.rules.coverage import (
    AccountContract,
    DeviceFacts,
    Enrolment,
    Reason,
    count_exclusion,
    decide,
)
from fleetcare.rules.money import Money

ON = date(2026, 3, 1)
PE = "poly_plus_enterprise"
DAAS = "device_as_a_service"
COVERED = ("personal", "video", "voice")
QUOTE_ONLY = ("immersive_telepresence", "media_engine", "vertical_solution", "infrastructure")
CONTRACT = AccountContract(
    PE,
    date(2026, 1, 1),
    date(2026, 12, 31),
    frozenset({"video", "voice"}),
    contract_id=7,
    reference="PE-T",
)


def _pe(device: DeviceFacts, on: date = ON, contract: AccountContract | None = CONTRACT):
    return decide(
        device,
        on,
        contract=contract,
        covered_categories=COVERED,
        quote_only_classes=QUOTE_ONLY,
        account_programme=PE,
    )


def test_r_flt_3_covered_from_the_day_it_appears_with_no_action():
    cov = _pe(DeviceFacts("video", first_seen_on=date(2026, 2, 10)))
    assert cov.covered and cov.reason is None and not cov.params
    assert (cov.programme, cov.contract_id, cov.contract_reference) == (PE, 7, "PE-T")
    assert (cov.covered_from, cov.covered_to) == (date(2026, 2, 10), date(2026, 12, 31))


def test_r_flt_3_a_device_older_than_the_contract_is_covered_from_the_term_start():
    cov = _pe(DeviceFacts("voice", first_seen_on=date(2024, 5, 1)))
    assert cov.covered and cov.covered_from == date(2026, 1, 1)


def test_r_flt_3_not_yet_in_the_fleet_says_when_it_appeared():
    cov = _pe(DeviceFacts("video", first_seen_on=date(2026, 2, 10)), on=date(2026, 2, 1))
    assert not cov.covered and cov.reason == Reason.NOT_IN_FLEET
    assert cov.params == {"first_seen_on": date(2026, 2, 10)}


def test_r_flt_3_no_contract_in_force_names_the_programme_and_date():
    device = DeviceFacts("video", first_seen_on=date(2026, 2, 1))
    for cov in (_pe(device, contract=None), _pe(device, on=date(2027, 3, 1))):
        assert not cov.covered and cov.reason == Reason.NO_CONTRACT
        assert cov.params["programme"] == PE
    assert _pe(device, on=date(2027, 3, 1)).params["on"] == date(2027, 3, 1)


def test_r_flt_3_a_category_the_contract_does_not_cover():
    cov = _pe(DeviceFacts("personal", first_seen_on=date(2026, 2, 1)))
    assert cov.reason == Reason.CATEGORY_NOT_CHOSEN
    assert cov.params == {"category": "personal", "contract_id": 7, "contract_reference": "PE-T"}


def test_r_flt_3_a_retired_device_is_not_covered():
    cov = _pe(DeviceFacts("video", first_seen_on=date(2026, 2, 1), active=False))
    assert not cov.covered and cov.reason == Reason.NOT_ACTIVE


def test_r_cat_2_quote_only_class_never_covered_even_if_chosen():
    chosen = AccountContract(PE, date(2026, 1, 1), date(2026, 12, 31), frozenset(QUOTE_ONLY))
    for code in QUOTE_ONLY:
        cov = _pe(DeviceFacts(code, first_seen_on=date(2026, 1, 5)), contract=chosen)
        assert cov.reason == Reason.QUOTE_ONLY and cov.params == {"category": code}
    flagged = DeviceFacts("video", first_seen_on=date(2026, 1, 5), category_quote_only=True)
    assert _pe(flagged).reason == Reason.QUOTE_ONLY


def test_r_cat_3_not_covered_from_the_end_of_support_date():
    eos = date(2026, 3, 1)
    cov = _pe(DeviceFacts("video", first_seen_on=date(2026, 1, 5), end_of_support_on=eos))
    assert not cov.covered and cov.reason == Reason.END_OF_SUPPORT
    assert cov.params == {"end_of_support_on": eos}
    day_before = _pe(
        DeviceFacts("video", first_seen_on=date(2026, 1, 5), end_of_support_on=eos),
        on=eos - timedelta(days=1),
    )
    assert day_before.covered and day_before.covered_to == date(2026, 2, 28)


def test_r_cat_3_coverage_ends_the_day_before_end_of_support():
    device = DeviceFacts(
        "video", first_seen_on=date(2026, 1, 5), end_of_support_on=date(2026, 9, 1)
    )
    assert _pe(device).covered_to == date(2026, 8, 31)


def test_r_ds_3_enrolled_device_covered_for_its_term_even_past_end_of_support():
    device = DeviceFacts(
        "voice", first_seen_on=date(2025, 1, 1), end_of_support_on=date(2025, 6, 1)
    )
    enrolment = Enrolment(DAAS, date(2025, 1, 1), date(2027, 12, 31), 3, "DS-1")
    cov = decide(device, ON, enrolment=enrolment, covered_categories=COVERED)
    assert cov.covered and cov.programme == DAAS
    assert (cov.subscription_id, cov.subscription_reference) == (3, "DS-1")
    assert (cov.covered_from, cov.covered_to) == (date(2025, 1, 1), date(2027, 12, 31))


def test_r_ds_3_after_the_term_the_account_contract_decides():
    device = DeviceFacts("video", first_seen_on=date(2025, 1, 1))
    ended = Enrolment(DAAS, date(2025, 1, 1), date(2025, 12, 31))
    cov = decide(
        device,
        ON,
        enrolment=ended,
        contract=CONTRACT,
        covered_categories=COVERED,
        account_programme=PE,
    )
    assert cov.covered and cov.programme == PE
    assert decide(device, ON, enrolment=ended, covered_categories=COVERED).reason == (
        Reason.NO_CONTRACT
    )


@given(
    first=st.dates(date(2025, 1, 1), date(2027, 6, 1)),
    on=st.dates(date(2025, 1, 1), date(2027, 6, 1)),
    eos=st.none() | st.dates(date(2025, 1, 1), date(2027, 6, 1)),
)
def test_r_flt_3_covered_means_on_lies_in_the_covered_span(first, on, eos):
    cov = _pe(DeviceFacts("video", first_seen_on=first, end_of_support_on=eos), on=on)
    assert cov.covered == (cov.reason is None)
    if cov.covered:
        assert cov.covered_from is not None and cov.covered_to is not None
        assert cov.covered_from <= on <= cov.covered_to
        assert eos is None or cov.covered_to < eos


def test_r_cat_2_r_cat_3_count_exclusion():
    assert count_exclusion("video", False, None, ON, QUOTE_ONLY) is None
    assert count_exclusion("media_engine", False, None, ON, QUOTE_ONLY) == Reason.QUOTE_ONLY
    assert count_exclusion("video", True, None, ON, QUOTE_ONLY) == Reason.QUOTE_ONLY
    assert count_exclusion("video", False, ON, ON, QUOTE_ONLY) == Reason.END_OF_SUPPORT
    assert count_exclusion("video", False, ON + timedelta(days=1), ON, QUOTE_ONLY) is None
    # quote-only wins over end-of-support; the codes are the API's strings
    assert count_exclusion("infrastructure", False, ON, ON, QUOTE_ONLY) == "quote_only"


def test_r_ds_5_150_voice_devices_replacements_1_to_3_within_the_4th_flagged():
    threshold = Decimal("0.02")
    flags = [daas.next_replacement_status(so_far, 150, threshold).chargeable for so_far in range(4)]
    assert flags == [False, False, False, True]
    fourth = daas.next_replacement_status(3, 150, threshold)
    assert fourth.rate_pct == Decimal("2.67")
    assert daas.next_replacement_status(2, 150, threshold).rate == Decimal("0.02")


def test_r_ds_5_next_replacement_is_the_status_of_so_far_plus_one():
    for so_far in range(10):
        assert daas.next_replacement_status(so_far, 150) == daas.threshold_status(so_far + 1, 150)
    with pytest.raises(ValueError):
        daas.next_replacement_status(-1, 150)
    with pytest.raises(ValueError):
        daas.next_replacement_status(0, 0)


def test_r_ds_5_over_threshold_charge_at_list_price_in_its_currency():
    assert daas.over_threshold_charge(Money.of("249.995", "EUR")) == Money(Decimal("250.00"), "EUR")
    assert daas.over_threshold_charge(Money.of("199", "usd")) == Money(Decimal("199.00"), "USD")
    with pytest.raises(ValueError):
        daas.over_threshold_charge(Money.of("-1", "EUR"))
