"""The API shell: bearer tokens (hashed, revocable), /me, problem+json, OpenAPI, catalogue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fleetcare.organisations.models import ApiToken, hash_token
from tests.factories import CategoryFactory, ProductModelFactory


@pytest.fixture
def catalogue(db):
    video = CategoryFactory(code="video")
    voice = CategoryFactory(code="voice")
    itp = CategoryFactory(code="immersive_telepresence")
    today = date.today()
    models = {
        "x30": ProductModelFactory(
            sku="STUDIO-X30", name="Studio X30", family="Studio", category=video
        ),
        "g7500": ProductModelFactory(sku="G7500", name="G7500", family="G7500", category=video),
        "ccx": ProductModelFactory(sku="CCX-400", name="CCX 400", family="CCX", category=voice),
        "vvx": ProductModelFactory(
            sku="VVX-411",
            name="VVX 411",
            family="VVX",
            category=voice,
            end_of_sale_effective_on=today - timedelta(days=900),
            end_of_support_on=today - timedelta(days=10),
        ),
        "itp": ProductModelFactory(sku="ITP-1", name="Medialign", family="ITP", category=itp),
    }
    return models


def test_me_with_bearer_token(api_client, customer_user):
    response = api_client.as_user(customer_user).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "acme-admin"
    assert body["role"] == "customer_admin"
    assert body["organisation"]["name"] == "Acme SA"


def test_token_stored_hashed_and_revocable(client, customer_user):
    token, raw = ApiToken.issue(customer_user)
    assert raw.startswith("fc_")
    assert token.key_hash == hash_token(raw)
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert raw not in str(ApiToken.objects.values_list("key_hash", "key_prefix", "name"))
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token.revoke()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"


def test_wrong_token_is_401_problem(client, db):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    body = response.json()
    assert (
        body["status"] == 401 and body["title"] == "Not authenticated" and "token" in body["detail"]
    )


def test_inactive_users_token_is_refused(client, customer_user):
    _, raw = ApiToken.issue(customer_user)
    customer_user.is_active = False
    customer_user.save()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_openapi_and_docs(client, db):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/v1/me" in paths
    assert "/api/v1/catalog/models" in paths
    assert "/api/v1/catalog/models/{model_id}/spare-parts" in paths
    assert spec.json()["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content


def test_catalogue_search_and_filters(api_client, customer_user, catalogue):
    c = api_client.as_user(customer_user)
    body = c.get("/api/v1/catalog/models").json()
    assert body["count"] == 5
    assert {m["sku"] for m in c.get("/api/v1/catalog/models?q=studio").json()["items"]} == {
        "STUDIO-X30"
    }
    assert {m["sku"] for m in c.get("/api/v1/catalog/models?category=voice").json()["items"]} == {
        "CCX-400",
        "VVX-411",
    }
    assert {m["sku"] for m in c.get("/api/v1/catalog/models?quote_only=true").json()["items"]} == {
        "ITP-1"
    }
    eos = c.get("/api/v1/catalog/models?lifecycle=end_of_support").json()["items"]
    assert [m["sku"] for m in eos] == ["VVX-411"] and eos[0]["lifecycle"] == "end_of_support"
    page = c.get("/api/v1/catalog/models?page=2&page_size=2").json()
    assert page["page"] == 2 and len(page["items"]) == 2 and page["count"] == 5


def test_catalogue_bad_filter_is_problem_json(api_client, customer_user, catalogue):
    response = api_client.as_user(customer_user).get("/api/v1/catalog/models?page=0")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "page" in response.json()["detail"]


def test_model_detail_and_spare_parts(api_client, customer_user, catalogue):
    from fleetcare.catalog.models import FirmwareRelease, SparePart

    x30 = catalogue["x30"]
    FirmwareRelease.objects.create(
        product_model=x30, version="4.2.0", released_on="2026-05-01", notes="n"
    )
    part = SparePart.objects.create(part_number="SP-REMOTE", name="Remote", list_price=79)
    part.compatible_models.add(x30)
    SparePart.objects.create(part_number="SP-OTHER", name="Other", list_price=1)
    c = api_client.as_user(customer_user)
    detail = c.get(f"/api/v1/catalog/models/{x30.pk}").json()
    assert detail["sku"] == "STUDIO-X30" and detail["firmware_releases"][0]["version"] == "4.2.0"
    parts = c.get(f"/api/v1/catalog/models/{x30.pk}/spare-parts").json()
    assert [p["part_number"] for p in parts] == ["SP-REMOTE"]
    missing = c.get("/api/v1/catalog/models/999999")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"


def test_catalogue_list_costs_constant_queries(
    api_client, customer_user, catalogue, django_assert_max_num_queries
):
    c = api_client.as_user(customer_user)
    with django_assert_max_num_queries(6):
        c.get("/api/v1/catalog/models")
    for i in range(30):
        ProductModelFactory(sku=f"EXTRA-{i}", category=catalogue["x30"].category)
    with django_assert_max_num_queries(6):
        assert c.get("/api/v1/catalog/models").json()["count"] == 35


def test_session_auth_also_works_for_the_portal(client, customer_user):
    client.force_login(customer_user)
    assert client.get("/api/v1/me").json()["username"] == "acme-admin"


def test_out_of_range_numbers_are_422_not_500(api_client, customer_user, catalogue):
    c = api_client.as_user(customer_user)
    response = c.get("/api/v1/catalog/models?page=60026720805462464")
    assert response.status_code == 422 and "page" in response.json()["detail"]
    response = c.get("/api/v1/catalog/models/136552586854366032512942080")
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == "application/problem+json"
