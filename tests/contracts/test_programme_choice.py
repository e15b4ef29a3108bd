"""R-PRG-1: a contract is under an account-wide programme; its options are the programme's."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from fleetcare.contracts.models import EnterpriseContract
from fleetcare.rules.programmes import PROGRAMME_DIR, PROGRAMME_DIRS_ENV
from tests.factories import api

from .test_contracts import _create

pytestmark = pytest.mark.django_db


@pytest.fixture
def basic_cover(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An account-wide programme like the founding one, but without paid options."""
    text = (PROGRAMME_DIR / "poly_plus_enterprise.toml").read_text(encoding="utf-8")
    text = text.replace('code = "poly_plus_enterprise"', 'code = "basic_cover"')
    text = text.replace("default_of_kind = true", "")
    text = text.replace(
        'options = ["extra_csm_block", "technical_account_management", "onsite_destruction"]',
        "options = []",
    )
    (tmp_path / "basic_cover.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(PROGRAMME_DIRS_ENV, str(tmp_path))
    return "basic_cover"


def test_r_prg_1_new_contracts_get_the_default_account_wide_programme(models, customer, csm):
    assert _create(api(csm), customer).status_code == 201
    assert EnterpriseContract.objects.get().programme_code == "poly_plus_enterprise"


def test_r_prg_1_a_contract_under_another_account_wide_programme(
    models, customer, csm, basic_cover
):
    r = _create(api(csm), customer, programme_code=basic_cover)
    assert r.status_code == 201 and r.json()["programme_code"] == basic_cover
    assert EnterpriseContract.objects.get().programme.name == "Poly+ Enterprise"


def test_r_prg_1_options_the_programme_does_not_offer_are_refused(
    models, customer, csm, basic_cover
):
    r = _create(api(csm), customer, programme_code=basic_cover, onsite_destruction=True)
    assert r.status_code == 422
    assert "onsite_destruction" in r.json()["detail"] and "does not offer" in r.json()["detail"]
    assert not EnterpriseContract.objects.exists()


def test_r_prg_1_a_per_device_programme_is_not_a_contract_programme(models, customer, csm):
    r = _create(api(csm), customer, programme_code="device_as_a_service")
    assert r.status_code == 422 and "not an account-wide programme" in r.json()["detail"]
    r = _create(api(csm), customer, programme_code="no_such_programme")
    assert r.status_code == 422 and "No programme" in r.json()["detail"]
    assert not EnterpriseContract.objects.exists()


def test_r_prg_1_fleetcare_check_reports_a_broken_programme_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "broken.toml").write_text('code = "broken"\nkind = "global"\n', encoding="utf-8")
    monkeypatch.setenv(PROGRAMME_DIRS_ENV, str(tmp_path))
    with pytest.raises(SystemCheckError, match=r"broken\.toml: .*kind"):
        call_command("check")
