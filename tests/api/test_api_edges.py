"""Clean API edges: 401 problem+json whatever the method, size limits, malformed bodies,
sane dates, billing runs only for months that have ended."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unauthenticated_request_is_401_problem_whatever_the_method(db, method):
    # enforce_csrf_checks: as a real browser or script would meet it (the test client
    # skips CSRF by default, which hid the 403 "CSRF check failed").
    client = Client(enforce_csrf_checks=True)
    kwargs = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)("/api/v1/fleet/devices", **kwargs)
    assert response.status_code in (401, 405)
    if response.status_code == 401:
        assert response["Content-Type"] == PROBLEM
        assert response["WWW-Authenticate"] == "Bearer"
        assert response.json()["status"] == 401


def test_unauthenticated_post_is_401_not_csrf_403(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/fleet/devices", "{}", content_type="application/json")
    assert response.status_code == 401
    assert "CSRF" not in response.json()["detail"]


def test_another_scheme_is_401(db):
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/v1/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM


def test_signed_in_session_post_without_csrf_token_is_403_problem(customer_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer_user)
    response = client.post("/api/v1/fleet/devices", "{}", content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "X-CSRFToken" in response.json()["detail"]


def test_oversized_json_body_is_413_problem(api_client, customer_user, settings):
    settings.API_MAX_BODY_BYTES = 1024
    body = '{"sku": "' + "x" * 2048 + '"}'
    response = api_client.as_user(customer_user).post("/api/v1/fleet/devices", body)
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["max_bytes"] == 1024 and "too large" in problem["detail"]


def test_body_over_djangos_read_limit_is_413_problem(api_client, customer_user, settings):
    # A body that passes the middleware but trips Django's own limit when read.
    settings.API_MAX_BODY_BYTES = 10 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"sku": "' + "x" * 2048 + '"}'
    response = api_client.as_user(customer_user).post("/api/v1/fleet/devices", body)
    assert response.status_code == 413 and response["Content-Type"] == PROBLEM


def test_oversized_upload_is_413_problem(api_client, customer_user, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.API_MAX_UPLOAD_BYTES = 2048
    upload = SimpleUploadedFile("fleet.csv", b"sku\n" + b"CCX-400\n" * 1000, "text/csv")
    response = api_client.as_user(customer_user).post(
        "/api/v1/fleet/imports", {"file": upload}, content_type="multipart"
    )
    assert response.status_code == 413 and response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    "body", ["{not json", '{"sku": "A"', "\x00\x01", '{"sku": "' + "\udcff" * 0 + "é"]
)
def test_malformed_json_body_is_400_problem(api_client, customer_user, body):
    response = api_client.as_user(customer_user).post("/api/v1/fleet/devices", body)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert "JSON" in response.json()["detail"]


def test_json_of_the_wrong_shape_is_422_problem(api_client, customer_user):
    response = api_client.as_user(customer_user).post("/api/v1/fleet/devices", "[1, 2]")
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("value", ["0052-03-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_2000_2100_are_422_naming_the_field(api_client, customer_user, value):
    response = api_client.as_user(customer_user).post(
        "/api/v1/fleet/devices", {"sku": "CCX-400", "first_seen_on": value}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "first_seen_on"
    assert "2000-01-01" in problem["errors"][0]["reason"]


def test_query_dates_are_range_checked_too(api_client, customer_user):
    response = api_client.as_user(customer_user).get("/api/v1/devices/1/coverage?on=0052-01-01")
    assert response.status_code == 422 and "on" in response.json()["detail"]


@pytest.fixture
def billing_user(vendor_user):
    return vendor_user("billing")


def test_r_ds_7_billing_run_refuses_a_month_that_has_not_ended(api_client, billing_user):
    c = api_client.as_user(billing_user)
    today = timezone.localdate()
    for month in (today, today.replace(day=1), date(today.year + 1, 1, 1)):
        response = c.post("/api/v1/billing/daas-invoices", {"month": month.isoformat()})
        assert response.status_code == 422, month
        assert "has not ended" in response.json()["detail"]
    response = c.post("/api/v1/billing/daas-invoices", {"month": "0052-01-01"})
    assert response.status_code == 422


def test_r_ds_7_billing_run_accepts_last_month(api_client, billing_user):
    last_month = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    response = api_client.as_user(billing_user).post(
        "/api/v1/billing/daas-invoices", {"month": last_month.isoformat()}
    )
    assert response.status_code == 200 and response.json() == []


def test_unknown_api_path_is_404_problem(db):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/no-such-thing", "{}", content_type="application/json"
    )
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM


def test_r_sup_4_authorisation_of_year_0052_is_refused(api_client, customer_user, vendor_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fleetcare.support.models import CloudPartnerAuthorisation

    upload = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", "application/pdf")
    response = api_client.as_user(vendor_user("support_agent")).post(
        "/api/v1/cases/authorisations",
        {
            "account_id": customer_user.organisation_id,
            "cloud_partner": "zoom",
            "valid_from": "0052-01-01",
            "document": upload,
        },
        content_type="multipart",
    )
    assert response.status_code == 422, response.content
    assert "valid_from" in response.json()["detail"]
    assert not CloudPartnerAuthorisation.objects.exists()
