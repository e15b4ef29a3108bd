"""API tokens with a scope and an expiry; login throttling with django-axes."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fleetcare.core.models import ChangeLogEntry
from fleetcare.organisations.models import ApiToken

PROBLEM = "application/problem+json"


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


# --- tokens ---------------------------------------------------------------------------


def test_read_only_token_reads_but_cannot_write(client, customer_user):
    _, raw = ApiToken.issue(customer_user, "ro", scope=ApiToken.TokenScope.READ_ONLY)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    assert client.get("/api/v1/fleet/devices", headers=bearer(raw)).status_code == 200
    response = client.post(
        "/api/v1/fleet/devices",
        {"sku": "CCX-400"},
        content_type="application/json",
        headers=bearer(raw),
    )
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "read-only" in response.json()["detail"]
    # Nor can it mint itself a read-write token.
    response = client.post(
        "/api/v1/tokens", {"name": "escalate"}, content_type="application/json", headers=bearer(raw)
    )
    assert response.status_code == 403
    assert ApiToken.objects.filter(user=customer_user).count() == 1


def test_expired_token_is_401(client, customer_user):
    token, raw = ApiToken.issue(
        customer_user, "old", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    token.refresh_from_db()
    assert token.expired and not token.active


def test_new_tokens_expire_by_default(customer_user, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 30
    token, _ = ApiToken.issue(customer_user)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    never, _ = ApiToken.issue(customer_user, expires_at=None)
    assert never.expires_at is None and never.active


def test_last_used_at_is_written_at_most_once_a_minute(
    client, customer_user, django_assert_num_queries
):
    token, raw = ApiToken.issue(customer_user)
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    for _ in range(3):
        client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(seconds=61))
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_tokens_api_lists_creates_and_revokes(
    api_client, client, customer_user, other_customer_user
):
    c = api_client.as_user(customer_user)
    response = c.post("/api/v1/tokens", {"name": "ci", "scope": "read_only", "expires_in_days": 7})
    assert response.status_code == 201
    created = response.json()
    raw = created["token"]
    assert raw.startswith(created["key_prefix"]) and created["scope"] == "read_only"
    expires = timezone.datetime.fromisoformat(created["expires_at"])
    assert timedelta(days=6) < expires - timezone.now() <= timedelta(days=7)
    listed = c.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"test", "ci"}
    assert all("token" not in t for t in listed)
    # Someone else's token is a 404.
    theirs, _ = ApiToken.issue(other_customer_user, "theirs")
    assert c.post(f"/api/v1/tokens/{theirs.pk}/revoke").status_code == 404
    response = c.post(f"/api/v1/tokens/{created['id']}/revoke")
    assert response.status_code == 200 and response.json()["active"] is False
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    actions = set(
        ChangeLogEntry.objects.filter(object_id=str(created["id"])).values_list("action", flat=True)
    )
    assert actions == {"token.issued", "token.revoked"}
    entry = ChangeLogEntry.objects.get(action="token.issued", object_id=str(created["id"]))
    assert "key_hash" not in entry.after


def test_never_expiring_token_through_the_api(api_client, customer_user):
    response = api_client.as_user(customer_user).post(
        "/api/v1/tokens", {"name": "forever", "expires_in_days": None}
    )
    assert response.status_code == 201 and response.json()["expires_at"] is None


def test_profile_creates_a_read_only_expiring_token(client, customer_user):
    client.force_login(customer_user)
    response = client.post(
        reverse("portal:profile"),
        {"action": "create", "name": "report", "scope": "read_only", "expires_in_days": "30"},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=customer_user)
    assert token.read_only
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    html = client.get(reverse("portal:profile")).content.decode()
    assert "Read only" in html
    client.post(
        reverse("portal:profile"), {"action": "create", "name": "eternal", "expires_in_days": ""}
    )
    assert ApiToken.objects.get(name="eternal").expires_at is None


def test_profile_shows_an_expired_token_as_expired(client, customer_user):
    ApiToken.issue(customer_user, "stale", expires_at=timezone.now() - timedelta(days=1))
    client.force_login(customer_user)
    html = client.get(reverse("portal:profile")).content.decode()
    assert "expired" in html


def test_create_token_command_options(customer_user, capsys):
    call_command("create_token", customer_user.username, "--read-only", "--expires-in-days", "0")
    token = ApiToken.objects.get(user=customer_user)
    assert token.read_only and token.expires_at is None
    assert capsys.readouterr().out.strip().startswith("fc_")


# --- login throttling (django-axes) ----------------------------------------------------


@pytest.fixture
def known_password(customer_user):
    customer_user.set_password("right-password-42")
    customer_user.save()
    return "right-password-42"


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_20_wrong_passwords_lock_the_user_out_with_a_clear_message(
    client, customer_user, known_password, caplog
):
    from axes.models import AccessAttempt

    caplog.set_level(logging.WARNING)
    for i in range(19):
        response = _login(client, customer_user.username, f"wrong-{i}", ip=f"10.0.1.{i}")
        assert response.status_code == 200  # the login form again, with its error
    response = _login(client, customer_user.username, "wrong-19", ip="10.0.1.19")
    assert response.status_code == 429
    # Locked out now, even with the right password and from another address.
    response = _login(client, customer_user.username, known_password, ip="10.0.2.1")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html and "Try again in 30 minutes" in html
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=customer_user.username).exists()
    assert any("locked out" in r.getMessage().lower() for r in caplog.records)


def test_lockout_ends_after_the_cool_off(client, customer_user, known_password):
    from axes.models import AccessAttempt

    for i in range(20):
        _login(client, customer_user.username, f"wrong-{i}")
    assert _login(client, customer_user.username, known_password).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    response = _login(client, customer_user.username, known_password, ip="10.9.9.9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(customer_user.pk)


def test_20_failures_from_one_address_lock_that_address(
    client, customer_user, known_password, other_customer_user
):
    for i in range(20):
        _login(client, f"nobody-{i}", "guess", ip="192.0.2.7")
    assert _login(client, customer_user.username, known_password, ip="192.0.2.7").status_code == 429
    assert _login(client, customer_user.username, known_password, ip="192.0.2.8").status_code == 302


def test_lockout_page_is_translated(client, customer_user):
    for i in range(20):
        _login(client, customer_user.username, f"wrong-{i}")
    response = client.post(
        reverse("login"),
        {"username": customer_user.username, "password": "x"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 429
    assert "Trop de" in response.content.decode()
