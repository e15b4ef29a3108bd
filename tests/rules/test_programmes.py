"""Programme settings files: loading and validation."""

from decimal import Decimal
from pathlib import Path

import pycountry
import pytest

from fleetcare.rules.programmes import (
    PROGRAMME_DIR,
    PROGRAMME_DIRS_ENV,
    ProgrammeError,
    all_programmes,
    default_programme,
    load_programme,
    load_programme_file,
    programmes_of_kind,
    registry,
)


def test_poly_plus_enterprise_settings() -> None:
    p = load_programme("poly_plus_enterprise")
    assert p.code == "poly_plus_enterprise" and p.name == "Poly+ Enterprise"
    assert p.band == Decimal("0.05") and isinstance(p.band, Decimal)
    assert p.upfront_growth_share == Decimal("0.5")
    assert p.proration_basis == "monthly"
    assert p.default_term_months == 12
    assert p.covered_categories == ("personal", "video", "voice")
    assert "media_engine" in p.quote_only_classes
    assert p.replacement_cutoff_hour == 15
    assert p.return_window_business_days == 10
    assert [p.service_levels[s].first_response_minutes for s in ("S1", "S2", "S3", "S4")] == [
        30,
        60,
        240,
        1440,
    ]
    assert {lvl.clock for lvl in p.service_levels.values()} == {"24x7"}
    assert load_programme("poly_plus_enterprise") is p  # cached
    # R-PRG-1: kind and features
    assert (p.kind, p.sold_by, p.case_openers, p.support_calendar) == (
        "account_wide",
        "vendor",
        "customer",
        "none",
    )
    assert not p.partner_only and not p.has_extended_cover
    assert "onsite_destruction" in p.options


def test_device_as_a_service_settings() -> None:
    p = load_programme("device_as_a_service")
    assert (p.kind, p.sold_by, p.case_openers, p.support_calendar) == (
        "per_device",
        "partner",
        "partner_only",
        "partner",
    )
    assert p.partner_only and p.has_extended_cover and p.options == ()
    assert p.replacement_threshold == Decimal("0.02")
    assert p.extended_cover_categories == ("voice",)
    assert p.extended_cover_causes == ("spill", "drop")
    assert set(p.excluded_causes) == {
        "fire",
        "intentional_damage",
        "normal_wear",
        "cosmetic",
        "theft",
        "loss",
    }
    assert [p.service_levels[s].first_response_minutes for s in ("S1", "S2", "S3", "S4")] == [
        120,
        240,
        480,
        960,
    ]
    assert {lvl.clock for lvl in p.service_levels.values()} == {"business_hours"}
    assert set(p.regions) == {"north_america", "emea"}
    for codes in p.regions.values():
        for code in codes:
            assert pycountry.countries.get(alpha_2=code) is not None
    assert {"US", "CA"} <= set(p.regions["north_america"])
    assert {"GB", "FR", "DE", "AE", "ZA"} <= set(p.regions["emea"])
    names = dict(p.region_countries("emea"))
    assert names["DE"] == getattr(pycountry.countries.get(alpha_2="DE"), "name", None)


def test_every_programme_file_loads() -> None:
    files = sorted(PROGRAMME_DIR.glob("*.toml"))
    assert {f.stem for f in files} >= {"poly_plus_enterprise", "device_as_a_service"}
    for f in files:
        assert load_programme_file(f).code == f.stem


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _valid_text(code: str) -> str:
    text = (PROGRAMME_DIR / "device_as_a_service.toml").read_text(encoding="utf-8")
    return text.replace('code = "device_as_a_service"', f'code = "{code}"')


def test_a_new_programme_is_a_new_file(tmp_path: Path) -> None:
    p = load_programme_file(_write(tmp_path, "pilot", _valid_text("pilot")))
    assert p.code == "pilot"


def test_broken_value_names_file_key_and_problem(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "broken",
        _valid_text("broken").replace(
            "replacement_threshold = 0.02", "replacement_threshold = 2.5"
        ),
    )
    with pytest.raises(ProgrammeError) as info:
        load_programme_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "replacement_threshold" in message
    assert "less than or equal to 1" in message


def test_bad_country_code_names_region_and_code(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "badregion", _valid_text("badregion").replace('"US", "CA"', '"US", "QQ"')
    )
    with pytest.raises(ProgrammeError, match=r"badregion\.toml.*regions.*'QQ'.*ISO 3166"):
        load_programme_file(path)


def test_missing_severity_and_unknown_key(tmp_path: Path) -> None:
    text = _valid_text("holes").split("[service_levels.S4]")[0]
    text = text.replace('name = "Device-as-a-Service"', 'name = "Holes"\nsurprise = 1')
    with pytest.raises(ProgrammeError) as info:
        load_programme_file(_write(tmp_path, "holes", text))
    message = str(info.value)
    assert "holes.toml" in message
    assert "service_levels" in message and "S4" in message
    assert "surprise: Extra inputs are not permitted" in message


def test_syntax_error_and_missing_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "syntax", "code = \nname = 'x'\n")
    with pytest.raises(ProgrammeError, match=r"syntax\.toml: \(syntax\)"):
        load_programme_file(path)
    with pytest.raises(ProgrammeError, match="no such programme file"):
        load_programme("no_such_programme")
    with pytest.raises(ProgrammeError, match="code"):
        load_programme_file(_write(tmp_path, "other_name", _valid_text("pilot")))


# R-PRG-1: kinds, features and the registry.

# A per-device programme sold by the vendor itself, 8x5 on the customer's calendar,
# no extended cover: every feature chosen differently from the founding two.
DIRECT_TEXT = """
code = "{code}"
name = "Direct device care"
kind = "per_device"
sold_by = "vendor"
case_openers = "customer"
support_calendar = "customer"
default_term_months = 24
covered_categories = ["voice", "video"]
replacement_cutoff_hour = 14
return_window_business_days = 5
excluded_causes = ["fire", "theft", "loss"]
{extra}
[service_levels.S1]
clock = "business_hours"
first_response_minutes = 60
update_minutes = 240
solution_minutes = 960
[service_levels.S2]
clock = "business_hours"
first_response_minutes = 240
update_minutes = 480
solution_minutes = 1920
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


def _direct(tmp_path: Path, code: str = "direct", extra: str = "") -> Path:
    return _write(tmp_path, code, DIRECT_TEXT.format(code=code, extra=extra))


def test_r_prg_1_a_programme_with_other_features_loads(tmp_path: Path) -> None:
    p = load_programme_file(_direct(tmp_path))
    assert (p.kind, p.sold_by, p.case_openers, p.support_calendar) == (
        "per_device",
        "vendor",
        "customer",
        "customer",
    )
    assert not p.has_extended_cover and p.replacement_threshold is None and p.regions == {}


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (
            ('case_openers = "customer"', 'case_openers = "partner_only"'),
            "case_openers",
            "'partner_only' needs sold_by = 'partner'",
        ),
        (
            ('support_calendar = "customer"', 'support_calendar = "partner"'),
            "support_calendar",
            "'partner' needs sold_by = 'partner'",
        ),
        (
            ('support_calendar = "customer"', 'support_calendar = "none"'),
            "support_calendar",
            "business-hours service levels need a calendar",
        ),
        (
            ('kind = "per_device"', 'kind = "account_wide"'),
            "band",
            "required for kind = 'account_wide'",
        ),
        (
            ('kind = "per_device"', 'kind = "per_device"\nband = 0.05'),
            "band",
            "only for kind = 'account_wide'",
        ),
        (
            ('kind = "per_device"', 'kind = "per_device"\noptions = ["onsite_destruction"]'),
            "options",
            "only for kind = 'account_wide'",
        ),
        (
            ('kind = "per_device"', 'kind = "per_device"\nextended_cover_categories = ["voice"]'),
            "extended_cover_causes",
            "needs both",
        ),
        (
            ('kind = "per_device"', 'kind = "per_device"\nreplacement_threshold = 0.02'),
            "replacement_threshold",
            "needs extended cover",
        ),
        (
            (
                'kind = "per_device"',
                'kind = "per_device"\nextended_cover_categories = ["personal"]'
                '\nextended_cover_causes = ["drop"]',
            ),
            "extended_cover_categories",
            "not covered categories: ['personal']",
        ),
        (('kind = "per_device"', 'kind = "global"'), "kind", "'account_wide' or 'per_device'"),
        (('sold_by = "vendor"', 'sold_by = "reseller"'), "sold_by", "'vendor' or 'partner'"),
    ],
)
def test_r_prg_1_impossible_features_name_file_and_key(
    tmp_path: Path, change: tuple[str, str], key: str, problem: str
) -> None:
    text = DIRECT_TEXT.format(code="bad", extra="").replace(*change)
    path = _write(tmp_path, "bad", text)
    with pytest.raises(ProgrammeError) as info:
        load_programme_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert f"{key}: " in message and problem in message, message


def test_r_prg_1_24x7_levels_with_a_calendar_are_refused(tmp_path: Path) -> None:
    text = (PROGRAMME_DIR / "poly_plus_enterprise.toml").read_text(encoding="utf-8")
    text = text.replace('support_calendar = "none"', 'support_calendar = "customer"')
    text = text.replace('code = "poly_plus_enterprise"', 'code = "pe_calendar"')
    with pytest.raises(ProgrammeError, match=r"pe_calendar\.toml: support_calendar: .*24x7"):
        load_programme_file(_write(tmp_path, "pe_calendar", text))


def test_r_prg_1_registry_kinds_and_defaults() -> None:
    codes = {p.code for p in all_programmes()}
    assert codes >= {"poly_plus_enterprise", "device_as_a_service"}
    assert all(p.kind == "account_wide" for p in programmes_of_kind("account_wide"))
    assert default_programme("account_wide").code == "poly_plus_enterprise"
    assert default_programme("per_device").code == "device_as_a_service"


def test_r_prg_1_a_directory_in_the_variable_adds_a_programme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _direct(tmp_path)
    monkeypatch.setenv(PROGRAMME_DIRS_ENV, str(tmp_path))
    assert load_programme("direct").name == "Direct device care"
    assert [p.code for p in programmes_of_kind("per_device")] == ["device_as_a_service", "direct"]
    # the founding programme stays the default of its kind
    assert default_programme("per_device").code == "device_as_a_service"
    assert registry().files["direct"] == tmp_path / "direct.toml"
    monkeypatch.delenv(PROGRAMME_DIRS_ENV)
    with pytest.raises(ProgrammeError, match="no such programme file direct.toml"):
        load_programme("direct")


def test_r_prg_1_registry_problems_name_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv(PROGRAMME_DIRS_ENV, str(missing))
    with pytest.raises(ProgrammeError, match=rf"{missing}: \(directory\): not a directory"):
        registry()
    dup = tmp_path / "dup"
    dup.mkdir()
    _write(dup, "poly_plus_enterprise", (PROGRAMME_DIR / "poly_plus_enterprise.toml").read_text())
    monkeypatch.setenv(PROGRAMME_DIRS_ENV, str(dup))
    with pytest.raises(ProgrammeError, match="code: 'poly_plus_enterprise' is already defined by"):
        registry()
    two = tmp_path / "two"
    two.mkdir()
    _direct(two, extra="default_of_kind = true")
    monkeypatch.setenv(PROGRAMME_DIRS_ENV, str(two))
    with pytest.raises(
        ProgrammeError, match=r"direct\.toml: default_of_kind: .*already the default"
    ):
        registry()
