"""R-FLT-3 / R-CAT-3: why a device is not covered reaches the reader in their language, on
the device page and through the API (a code, its parameters and the sentence)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from fleetcare.fleet.models import Device
from tests.factories import api

pytestmark = pytest.mark.django_db


def _device(account, model, first=date(2026, 2, 1)):
    return Device.objects.create(
        account=account, product_model=model, first_seen_on=first, last_seen_on=first
    )


def test_r_flt_3_api_gives_code_params_and_the_sentence_in_the_callers_language(
    customer, customer_user, models
):
    dev = _device(customer, models["video"])
    url = f"/api/v1/devices/{dev.pk}/coverage?on=2027-03-01"
    body = api(customer_user).get(url, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert not body["covered"] and body["reason"] == "no_contract"
    assert body["reason_params"] == {"programme": "poly_plus_enterprise", "on": "2027-03-01"}
    assert body["explanation"] == (
        "Le compte n’a pas de contrat Poly+ Enterprise en vigueur le 1 mars 2027."
    )
    english = api(customer_user).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["explanation"].startswith("The account has no Poly+ Enterprise contract")


def test_r_cat_3_device_page_shows_the_reason_in_the_users_language(
    customer, customer_user, models
):
    dev = _device(customer, models["old"])  # end of support 2025-06-01, no contract
    customer_user.language = "fr"
    customer_user.save()
    c = Client()
    c.force_login(customer_user)
    page = c.get(f"/fleet/devices/{dev.pk}/").content.decode()
    assert "Le compte n’a pas de contrat Poly+ Enterprise en vigueur le" in page
    assert "The account has no" not in page
