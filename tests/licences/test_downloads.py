"""R-POR-1 / R-SW-1: firmware and documents are files (storage API, size, SHA-256),
downloaded through a permission check by entitled users only; the others get a page
(403 problem+json in the API) that says why, and see no download link."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from fleetcare.catalog import services as catalog
from fleetcare.catalog.entitlement import download_decision
from fleetcare.contracts.models import ContractStatus
from fleetcare.rules import software as rules
from tests.factories import UserFactory, pe_contract, subscribe

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_r_por_1_a_published_file_is_stored_with_size_and_sha256(software):
    latest = software["latest"]
    assert latest.file_name == "ccx-500-8.1.2.bin"
    assert latest.file_size == len(software["payload"])
    assert latest.sha256 == software["sha256"]
    assert default_storage.exists(latest.file.name)
    with default_storage.open(latest.file.name, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == software["sha256"]
    assert software["model"].latest_firmware == latest


def test_r_sw_1_publishing_is_for_the_vendor_and_refuses_a_version_twice(
    software, customer_user, publisher
):
    with pytest.raises(PermissionDenied):
        catalog.publish_firmware(
            actor=customer_user,
            product_model=software["model"],
            version="9.0.0",
            released_on=software["latest"].released_on,
        )
    with pytest.raises(ValidationError) as exc:
        catalog.publish_firmware(
            actor=publisher,
            product_model=software["model"],
            version="8.1.2",
            released_on=software["latest"].released_on,
        )
    assert "version" in exc.value.message_dict


def test_r_por_1_entitled_customer_downloads_the_file_streamed(
    client, software, customer, customer_user, in_force
):
    pe_contract(customer, start=in_force["start"], end=in_force["end"])
    client.force_login(customer_user)
    r = client.get(f"/catalog/firmware/{software['latest'].pk}/download/")
    assert r.status_code == 200 and r.streaming
    assert r["Content-Disposition"] == 'attachment; filename="ccx-500-8.1.2.bin"'
    assert r["X-Content-SHA256"] == software["sha256"]
    body = _body(r)
    assert hashlib.sha256(body).hexdigest() == software["sha256"]
    doc = client.get(f"/catalog/documents/{software['document'].pk}/download/")
    assert doc.status_code == 200 and _body(doc) == b"%PDF-1.4 tiny"


def test_r_por_1_no_contract_in_force_is_refused_with_a_page_saying_why(
    client, software, customer, customer_user, in_force
):
    contract = pe_contract(customer, start=in_force["start"], end=in_force["end"])
    contract.status = ContractStatus.EXPIRED  # its term has not ended, but it is not in force
    contract.save()
    client.force_login(customer_user)
    r = client.get(f"/catalog/firmware/{software['latest'].pk}/download/")
    assert r.status_code == 403
    text = r.content.decode()
    assert "Download not available" in text
    assert "no contract in force that includes software updates" in text
    page = client.get(f"/catalog/{software['model'].pk}/")
    assert "/catalog/firmware/" not in page.content.decode()  # no download link offered
    assert "/catalog/documents/" not in page.content.decode()
    assert software["sha256"] in page.content.decode()  # the facts stay visible


def test_r_por_1_end_user_sees_no_link_and_is_refused(client, software, partner, daas_customer):
    end_user = UserFactory(organisation=daas_customer, role="end_user", username="nw-user")
    client.force_login(end_user)
    page = client.get(f"/catalog/{software['model'].pk}/").content.decode()
    assert "/catalog/firmware/" not in page and "/catalog/documents/" not in page
    assert "not by end users" in page
    r = client.get(f"/catalog/documents/{software['document'].pk}/download/")
    assert r.status_code == 403 and "not by end users" in r.content.decode()


def test_r_por_1_a_device_term_entitles_the_daas_customer_and_its_partner(
    software, partner, partner_user, daas_customer
):
    from django.utils import timezone

    admin = UserFactory(organisation=daas_customer, role="customer_admin", username="nw-admin")
    model = software["model"]
    assert download_decision(admin, model).reason == rules.NO_ENTITLEMENT
    subscribe(partner_user, daas_customer, model, 2, delivered_on=timezone.localdate())
    for user in (admin, partner_user):
        user.__dict__.pop("_fleetcare_downloads", None)
        decision = download_decision(user, model)
        assert decision.entitled and decision.reason == rules.BY_TERM
    other_model = software["old"].product_model.__class__.objects.exclude(pk=model.pk)
    assert not other_model.exists()  # only this model is under a term


def test_r_por_1_vendor_staff_always_and_distributors_never(
    client, software, agent, distributor_user
):
    client.force_login(agent)
    assert client.get(f"/catalog/firmware/{software['old'].pk}/download/").status_code == 200
    client.force_login(distributor_user)
    assert client.get(f"/catalog/firmware/{software['old'].pk}/download/").status_code == 403


def test_r_por_1_api_lists_releases_with_latest_and_downloads_for_the_entitled(
    api_client, software, customer, customer_user, other_customer_user, in_force
):
    pe_contract(customer, start=in_force["start"], end=in_force["end"])
    mine = api_client.as_user(customer_user)
    model_id = software["model"].pk
    listing = mine.get(f"/api/v1/catalog/models/{model_id}/firmware").json()
    assert listing["latest"]["version"] == "8.1.2"
    assert listing["latest"]["sha256"] == software["sha256"]
    assert [r["version"] for r in listing["releases"]] == ["8.1.2", "8.0.0"]
    assert listing["entitlement"]["entitled"] and listing["entitlement"]["reason"] == "contract"
    r = mine.get(listing["latest"]["download"])
    assert r.status_code == 200
    assert hashlib.sha256(_body(r)).hexdigest() == software["sha256"]

    theirs = api_client.as_user(other_customer_user)
    refused = theirs.get(listing["latest"]["download"])
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["reason"] == "no_entitlement"
    assert "entitled users" in refused.json()["detail"]
    assert theirs.get(f"/api/v1/catalog/models/{model_id}/entitlement").json()["entitled"] is False
    assert theirs.get("/api/v1/catalog/firmware/999999/download").status_code == 404


def test_r_sw_1_api_publish_firmware_with_its_file(api_client, software, publisher, customer_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "version": "8.2.0",
        "released_on": "2026-11-30",
        "file": SimpleUploadedFile("ccx-8.2.0.bin", b"new image"),
    }
    r = api_client.as_user(publisher).post(
        f"/api/v1/catalog/models/{software['model'].pk}/firmware", data, content_type="multipart"
    )
    assert r.status_code == 201, r.content
    assert r.json()["sha256"] == hashlib.sha256(b"new image").hexdigest()
    data["file"] = SimpleUploadedFile("x.bin", b"x")
    data["version"] = "8.3.0"
    refused = api_client.as_user(customer_user).post(
        f"/api/v1/catalog/models/{software['model'].pk}/firmware", data, content_type="multipart"
    )
    assert refused.status_code == 403
