"""Programme settings files: loading and validation."""

from decimal import Decimal
from pathlib import Path

import pycountry
import pytest

from fleetcare.rules.programmes import (
    PROGRAMME_DIR,
    ProgrammeError,
    load_programme,
    load_programme_file,
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


def test_device_as_a_service_settings() -> None:
    p = load_programme("device_as_a_service")
    assert p.daas_threshold == Decimal("0.02")
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
        _valid_text("broken").replace("daas_threshold = 0.02", "daas_threshold = 2.5"),
    )
    with pytest.raises(ProgrammeError) as info:
        load_programme_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "daas_threshold" in message
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
