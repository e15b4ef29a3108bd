"""The fleetcare command, demo data, jobs and production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from fleetcare.core import jobs
from fleetcare.core.models import JobRun
from fleetcare.organisations.models import ApiToken


def _counts():
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "admin", "contenttypes", "auth"}
        and m._meta.label not in {"core.ChangeLogEntry", "core.JobRun"}
    }


@pytest.mark.django_db
def test_demo_is_idempotent_and_prints_every_login():
    out = StringIO()
    call_command("demo", stdout=out)
    first = _counts()
    call_command("demo", stdout=StringIO())
    assert _counts() == first
    text = out.getvalue()
    for username, role in [
        ("admin", "Vendor administrator"),
        ("agent", "Support agent"),
        ("escalation", "Escalation manager"),
        ("csm", "Customer success manager"),
        ("ops", "Service operations"),
        ("billing", "Billing"),
        ("acme", "Customer IT admin"),
        ("maple", "Certified DaaS partner"),
        ("dist", "Distribution partner"),
        ("northwind-user", "End user"),
    ]:
        assert any(
            line.strip().startswith(username) and role in line for line in text.splitlines()
        ), username
    assert first["catalog.ProductModel"] >= 30


@pytest.mark.django_db
def test_demo_catalogue_covers_every_category_and_lifecycle():
    from django.utils import timezone

    from fleetcare.catalog.models import Category, ProductModel

    call_command("demo", "--quiet")
    today = timezone.localdate()
    for category in Category.objects.all():
        assert ProductModel.objects.filter(category=category).exists(), category.code
    assert Category.objects.filter(quote_only=True).count() == 4
    assert ProductModel.objects.lifecycle("end_of_sale", today).exists()
    assert ProductModel.objects.lifecycle("end_of_support", today).exists()
    for name in [
        "Voyager",
        "Savi",
        "Blackwire",
        "EncorePro",
        "CCX",
        "VVX",
        "Trio",
        "Rove",
        "Studio",
        "G7500",
    ]:
        assert ProductModel.objects.filter(family=name).exists(), name


@pytest.mark.django_db
def test_demo_organisations_match_the_issue():
    from fleetcare.organisations.models import Organisation

    call_command("demo", "--quiet")
    customers = Organisation.objects.filter(kind="customer")
    assert {"FR", "US", "DE"} <= set(customers.values_list("country", flat=True))
    partners = Organisation.objects.filter(kind="certified_partner")
    assert sorted(partners.values_list("country", flat=True)) == ["CA", "GB"]
    for partner in partners:
        assert partner.daas_customers.exists()
    assert Organisation.objects.filter(kind="distribution_partner").count() == 1
    assert all(o.sites.exists() for o in customers)


@pytest.mark.django_db
def test_create_token_prints_a_token_that_reads_me(client, customer_user):
    out = StringIO()
    call_command("create_token", "acme-admin", stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.objects.filter(user=customer_user).count() == 1
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.json()["username"] == "acme-admin"


@pytest.mark.django_db
def test_create_token_unknown_user_fails_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nobody"):
        call_command("create_token", "nobody")


@pytest.mark.django_db
def test_jobs_run_is_repeatable():
    out = StringIO()
    call_command("jobs", "run", stdout=out)
    call_command("jobs", "run", stdout=StringIO())
    assert "core.heartbeat" in out.getvalue()
    assert set(JobRun.objects.values_list("name", flat=True)) == set(jobs.REGISTRY)
    assert JobRun.objects.get(name="core.heartbeat").runs == 2


@pytest.mark.django_db
def test_jobs_run_unknown_job_fails_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown job"):
        call_command("jobs", "run", "no.such.job")


def _fleetcare(*args, env=None):
    exe = os.path.join(os.path.dirname(sys.executable), "fleetcare")
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not reach a real command.
    env = {k: v for k, v in (env or os.environ).items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    env = {
        **os.environ,
        "FLEETCARE_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "a-long-and-random-production-secret-key-1234567890",
        "ALLOWED_HOSTS": "fleetcare.example.com",
        "FLEETCARE_VAR_DIR": str(tmp_path),
    }
    result = _fleetcare("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_requires_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"FLEETCARE_ENV": "production", "DEBUG": "0", "FLEETCARE_VAR_DIR": str(tmp_path)})
    result = _fleetcare("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_local_secret_key_is_generated_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["FLEETCARE_VAR_DIR"] = str(tmp_path)
    assert _fleetcare("check", env=env).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40
    assert _fleetcare("check", env=env).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_security_headers_and_csp(client, db):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp
        and "object-src 'none'" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_settings_defaults(settings):
    assert settings.TIME_ZONE == "UTC" and settings.USE_TZ
    assert [code for code, _ in settings.LANGUAGES] == ["en", "fr"]


@pytest.mark.django_db
def test_admin_is_for_vendor_administrators_only(client, vendor, customer_user, partner_user):
    from tests.factories import UserFactory

    admin = UserFactory(organisation=vendor, role="vendor_admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/catalog/productmodel/").status_code == 200
    agent = UserFactory(organisation=vendor, role="support_agent")
    for user in [agent, customer_user, partner_user]:
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], user.role


def test_fleetcare_executable_migrate_and_create_token(tmp_path):
    """The real console script, end to end, on a database of its own."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env["FLEETCARE_VAR_DIR"] = str(tmp_path)
    assert _fleetcare("migrate", "--no-input", env=env).returncode == 0
    created = _fleetcare(
        "shell",
        "-c",
        "from fleetcare.organisations.models import Organisation, User;"
        "o = Organisation.objects.create(name='X', kind='customer', country='FR');"
        "User.objects.create_user('cli-user', organisation=o, role='customer_admin')",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    result = _fleetcare("create-token", "cli-user", env=env)
    assert result.returncode == 0, result.stderr
    raw = result.stdout.strip()
    assert raw.startswith("fc_") and len(raw) > 30
    check = _fleetcare(
        "shell",
        "-c",
        f"from fleetcare.organisations.models import ApiToken; print(ApiToken.authenticate('{raw}'))",
        env=env,
    )
    assert check.stdout.strip().splitlines()[-1] == "cli-user"
    missing = _fleetcare("create-token", "nobody", env=env)
    assert missing.returncode != 0 and "No user named 'nobody'" in missing.stderr
