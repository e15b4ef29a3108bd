"""The ``calendar`` management command (R-CAL-1): prints only the ISO date."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def test_next_business_day_gb_christmas() -> None:
    assert run("next-business-day", "--country", "GB", "2026-12-24") == "2026-12-29\n"


def test_add_business_days_us_new_year() -> None:
    assert run("add-business-days", "--country", "US", "2026-12-28", "10") == "2027-01-12\n"


def test_subdivision_bavaria_vs_berlin() -> None:
    assert run("next-business-day", "--country", "DE", "--subdivision", "BY", "2026-01-05") == (
        "2026-01-07\n"
    )
    assert run("next-business-day", "--country", "DE", "--subdivision", "BE", "2026-01-05") == (
        "2026-01-06\n"
    )


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        (("next-business-day", "--country", "XX", "2026-12-24"), "'XX'"),
        (("next-business-day", "--country", "DE", "--subdivision", "ZZ", "2026-12-24"), "'ZZ'"),
        (("add-business-days", "--country", "US", "2026-13-40", "3"), "'2026-13-40'"),
        (("add-business-days", "--country", "US", "2026-12-28", "ten"), "'ten'"),
    ],
)
def test_bad_values_are_named(args: tuple[str, ...], bad: str) -> None:
    with pytest.raises(CommandError, match=bad):
        run(*args)


def test_command_line_exit_code_and_one_line_error() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fleetcare.config.settings"}
    code = "from fleetcare.cli import main; main()"
    ok = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "calendar",
            "next-business-day",
            "--country",
            "GB",
            "2026-12-24",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "2026-12-29\n"
    bad = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "calendar",
            "next-business-day",
            "--country",
            "XX",
            "2026-12-24",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode != 0
    assert bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "'XX'" in bad.stderr
