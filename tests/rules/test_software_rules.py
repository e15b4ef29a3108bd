"""R-POR-1, R-PE-8, R-SW-1 as pure rules: download entitlement, premium flag, firmware
status, licence seats."""

from datetime import date

from fleetcare.rules import software as rules


def _decide(**kw):
    base = {
        "vendor_staff": False,
        "end_user": False,
        "contract_reference": None,
        "term_reference": None,
        "sku": "CCX-500",
    }
    return rules.decide_download(**{**base, **kw})


def test_r_por_1_vendor_staff_always_download():
    assert _decide(vendor_staff=True) == rules.Decision(True, rules.BY_VENDOR, {"sku": "CCX-500"})


def test_r_por_1_contract_or_device_term_entitles():
    assert _decide(contract_reference="PE-1").reason == rules.BY_CONTRACT
    assert _decide(contract_reference="PE-1").params["reference"] == "PE-1"
    assert _decide(term_reference="DAAS-1").reason == rules.BY_TERM
    assert _decide(term_reference="DAAS-1").entitled


def test_r_por_1_end_users_and_the_unentitled_are_refused_with_a_reason():
    assert _decide(end_user=True, term_reference="DAAS-1") == rules.Decision(
        False, rules.END_USER, {"sku": "CCX-500"}
    )
    assert _decide() == rules.Decision(False, rules.NO_ENTITLEMENT, {"sku": "CCX-500"})
    assert _decide(signed_in=False, vendor_staff=True).reason == rules.NOT_SIGNED_IN


def test_r_pe_8_premium_while_a_contract_is_in_force():
    on = rules.decide_premium(contract_reference="PE-1", until=date(2026, 12, 31))
    assert on.entitled and on.params == {"reference": "PE-1", "until": "2026-12-31"}
    off = rules.decide_premium(contract_reference=None, until=None)
    assert not off.entitled and off.reason == rules.PREMIUM_NO_CONTRACT


def test_r_sw_1_firmware_status():
    assert rules.firmware_status("8.1.2", "8.1.2") == rules.LATEST
    assert rules.firmware_status(" 8.1.2 ", "8.1.2") == rules.LATEST
    assert rules.firmware_status("8.0.0", "8.1.2") == rules.OUTDATED
    assert rules.firmware_status("", "8.1.2") == rules.UNKNOWN
    assert rules.firmware_status("8.0.0", None) == rules.NO_RELEASE


def test_r_por_1_licence_seats_and_state():
    assert rules.free_seats(10, 7) == 3
    assert rules.free_seats(10, 12) == 0 and rules.over_used(10, 12) == 2
    assert rules.over_used(10, 7) == 0
    assert rules.licence_state(date(2026, 1, 1), date(2026, 12, 31), date(2026, 6, 1)) == "valid"
    assert rules.licence_state(date(2026, 1, 1), None, date(2030, 6, 1)) == "valid"
    assert rules.licence_state(date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1)) == "expired"
    assert rules.licence_state(date(2026, 1, 1), None, date(2025, 12, 31)) == "not_yet_valid"
    assert rules.share(1, 3) == 33.3 and rules.share(0, 0) == 0.0
