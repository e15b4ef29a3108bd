"""Every time in the reader's time zone, with the zone named (issue 14): a setting on the
user, defaulting to the zone of the organisation's main site, editable on the profile
page and through ``/api/v1/me``."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fleetcare.core.messages import format_when
from fleetcare.organisations.models import User
from tests.factories import api, at

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_zone_defaults_to_the_organisation_main_site(customer_user, agent, other_customer):
    assert customer_user.effective_time_zone == "Europe/Paris"  # Acme's Paris HQ
    assert agent.effective_time_zone == "UTC"  # the vendor has no site in the fixtures
    customer_user.time_zone = "America/Chicago"
    customer_user.save(update_fields=["time_zone"])
    assert User.objects.get(pk=customer_user.pk).effective_time_zone == "America/Chicago"


def test_format_when_names_the_zone_in_the_reader_language():
    moment = at("2026-12-01T15:01:00+00:00", "UTC")
    from django.utils import timezone

    with timezone.override("Europe/Paris"):
        assert format_when(moment) == "1 Dec 2026 16:01 CET"
        with translation.override("fr"):
            assert format_when(moment) == "1 décembre 2026 16:01 CET"
    with timezone.override("America/Toronto"):
        assert format_when(moment) == "1 Dec 2026 10:01 EST"


def test_profile_page_saves_the_zone(customer_user):
    c = _client(customer_user)
    page = c.get(reverse("portal:profile")).content.decode()
    assert 'id="effective-zone">Europe/Paris<' in page
    r = c.post(reverse("portal:profile"), {"action": "time_zone", "time_zone": "Asia/Tokyo"})
    assert r.status_code == 302
    customer_user.refresh_from_db()
    assert customer_user.time_zone == "Asia/Tokyo"
    r = c.post(reverse("portal:profile"), {"action": "time_zone", "time_zone": "Mars/Olympus"})
    assert r.status_code == 200 and "field-error" in r.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.time_zone == "Asia/Tokyo"
    c.post(reverse("portal:profile"), {"action": "time_zone", "time_zone": ""})
    customer_user.refresh_from_db()
    assert customer_user.time_zone == "" and customer_user.effective_time_zone == "Europe/Paris"


def test_api_me_reads_and_changes_the_zone(customer_user):
    c = api(customer_user)
    body = c.get("/api/v1/me").json()
    assert body["time_zone"] == "" and body["effective_time_zone"] == "Europe/Paris"
    r = c.patch("/api/v1/me", {"time_zone": "America/Toronto"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["effective_time_zone"] == "America/Toronto"
    r = c.patch("/api/v1/me", {"time_zone": "Nowhere/Else"}, content_type="application/json")
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert "time_zone" in r.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.time_zone == "America/Toronto"


def test_directory_sets_a_user_zone_and_refuses_an_unknown_one(vendor_user, customer_user):
    admin = vendor_user("vendor_admin", username="root")
    c = api(admin)
    url = f"/api/v1/users/{customer_user.pk}"
    r = c.patch(url, {"time_zone": "Atlantis/Deep"}, content_type="application/json")
    assert r.status_code == 422 and "time_zone" in r.content.decode()
    r = c.patch(url, {"time_zone": "Europe/Berlin"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["time_zone"] == "Europe/Berlin"
