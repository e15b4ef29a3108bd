"""R-POR-1: licences with used and free counts, entered or imported by the vendor,
searched in the portal and the API, tenant-scoped (another tenant's answers 404)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fleetcare.core.models import ChangeLogEntry
from fleetcare.licences import services
from fleetcare.licences.models import Licence, LicenceKind
from tests.factories import pe_device

pytestmark = pytest.mark.django_db


def _licence(csm, account, reference, **kw):
    base = {
        "kind": LicenceKind.PREMIUM_TIER,
        "product_name": "Device management premium tier",
        "quantity": 10,
        "valid_from": date(2026, 1, 1),
    }
    return services.create_licence(
        actor=csm, account=account, reference=reference, **{**base, **kw}
    )


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("licences.csv", text.encode(), content_type="text/csv")


def test_r_por_1_used_and_free_count_the_accounts_active_devices(csm, customer, models):
    video, voice = models["video"], models["voice"]
    for _ in range(3):
        pe_device(customer, video)
    for _ in range(2):
        pe_device(customer, voice)
    retired = pe_device(customer, voice)
    retired.status = "retired"
    retired.save()
    _licence(csm, customer, "LIC-DM", quantity=4)
    _licence(
        csm, customer, "LIC-ROOM", kind=LicenceKind.MODEL_SOFTWARE, product_model=video, quantity=5
    )
    rows = {lic.reference: lic for lic in Licence.objects.with_counts()}
    assert (rows["LIC-DM"].used_count, rows["LIC-DM"].free_count) == (5, 0)
    assert rows["LIC-DM"].over_count == 1
    assert (rows["LIC-ROOM"].used_count, rows["LIC-ROOM"].free_count) == (3, 2)
    assert ChangeLogEntry.objects.filter(action="licence.created").count() == 2


def test_r_por_1_only_the_vendor_enters_licences_and_a_model_licence_names_its_model(
    csm, customer, customer_user
):
    with pytest.raises(PermissionDenied):
        _licence(customer_user, customer, "LIC-X")
    with pytest.raises(ValidationError) as exc:
        _licence(csm, customer, "LIC-Y", kind=LicenceKind.MODEL_SOFTWARE)
    assert "product_model" in exc.value.message_dict
    assert not Licence.objects.exists()


def test_r_por_1_licence_file_import_is_all_or_nothing_and_names_every_bad_row(
    csm, customer, models
):
    bad = (
        "reference,kind,product,sku,quantity,valid_from,valid_until\n"
        "LIC-1,premium_tier,Device management,,100,2026-01-01,2026-12-31\n"
        "LIC-2,model_software,Room software,NOPE,10,2026-01-01,\n"
        "LIC-3,model_software,Room software,STUDIO-X50,-1,2026-13-01,\n"
    )
    with pytest.raises(services.LicenceImportRejected) as exc:
        services.import_licences(actor=csm, account=customer, upload=_csv(bad))
    found = {(e["row"], e["column"]) for e in exc.value.errors}
    assert found == {(3, "sku"), (4, "quantity"), (4, "valid_from")}
    assert not Licence.objects.exists()

    good = (
        "reference,kind,product,sku,quantity,valid_from,valid_until\n"
        "LIC-1,premium_tier,Device management,,100,2026-01-01,2026-12-31\n"
        "LIC-2,,Room software,STUDIO-X50,10,2026-01-01,\n"
    )
    outcome = services.import_licences(actor=csm, account=customer, upload=_csv(good))
    assert (outcome.created, outcome.updated) == (2, 0)
    assert Licence.objects.get(reference="LIC-2").kind == LicenceKind.MODEL_SOFTWARE
    again = services.import_licences(
        actor=csm, account=customer, upload=_csv(good.replace(",10,", ",12,"))
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Licence.objects.get(reference="LIC-2").quantity == 12


def test_r_por_1_a_reference_of_another_account_is_refused(csm, customer, other_customer):
    _licence(csm, other_customer, "LIC-1")
    text = "reference,product,quantity,valid_from\nLIC-1,Device management,5,2026-01-01\n"
    with pytest.raises(services.LicenceImportRejected) as exc:
        services.import_licences(actor=csm, account=customer, upload=_csv(text))
    assert exc.value.errors[0]["column"] == "reference"


def test_r_por_1_portal_list_searches_and_is_tenant_scoped(
    client, csm, customer, customer_user, other_customer, models
):
    _licence(csm, customer, "LIC-ACME-DM")
    _licence(
        csm,
        customer,
        "LIC-ACME-ROOM",
        kind=LicenceKind.MODEL_SOFTWARE,
        product_model=models["video"],
        product_name="Room software",
    )
    _licence(csm, other_customer, "LIC-GLOBEX-DM")
    client.force_login(customer_user)
    page = client.get("/licences/").content.decode()
    assert "LIC-ACME-DM" in page and "LIC-ACME-ROOM" in page and "LIC-GLOBEX" not in page
    found = client.get("/licences/", {"q": "studio x50"}).content.decode()
    assert "LIC-ACME-ROOM" in found and "LIC-ACME-DM" not in found
    bad = client.get("/licences/", {"kind": "nonsense"})
    assert bad.status_code == 200 and "not a valid value" in bad.content.decode()
    client.force_login(csm)
    assert "LIC-GLOBEX-DM" in client.get("/licences/").content.decode()


def test_r_por_1_menu_shows_licences_to_those_who_may_see_them(
    client, customer_user, distributor_user
):
    client.force_login(customer_user)
    assert 'href="/licences/"' in client.get("/").content.decode()
    client.force_login(distributor_user)
    assert 'href="/licences/"' not in client.get("/").content.decode()
    assert client.get("/licences/").status_code == 403


def test_r_por_1_api_lists_gets_creates_and_imports_licences_tenant_scoped(
    api_client, csm, customer, customer_user, other_customer, other_customer_user, models
):
    pe_device(customer, models["video"])
    mine = _licence(csm, customer, "LIC-ACME-DM", quantity=3)
    theirs = _licence(csm, other_customer, "LIC-GLOBEX-DM")
    me = api_client.as_user(customer_user)
    listing = me.get("/api/v1/licences?q=acme").json()
    assert [i["reference"] for i in listing["items"]] == ["LIC-ACME-DM"]
    item = listing["items"][0]
    assert (item["quantity"], item["used"], item["free"], item["state"]) == (3, 1, 2, "valid")
    assert me.get(f"/api/v1/licences/{mine.pk}").status_code == 200
    assert me.get(f"/api/v1/licences/{theirs.pk}").status_code == 404
    assert me.get("/api/v1/licences?kind=bogus").status_code == 422

    vendor = api_client.as_user(csm)
    created = vendor.post(
        "/api/v1/licences",
        {
            "account_id": customer.pk,
            "reference": "LIC-API",
            "kind": "model_software",
            "product_name": "Room software",
            "product_model_id": models["video"].pk,
            "quantity": 4,
            "valid_from": "2026-01-01",
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["used"] == 1 and created.json()["source"] == "api"
    refused = me.post(
        "/api/v1/licences",
        {
            "account_id": customer.pk,
            "reference": "LIC-MINE",
            "kind": "premium_tier",
            "product_name": "x",
            "quantity": 4,
            "valid_from": "2026-01-01",
        },
    )
    assert refused.status_code == 403
    text = "reference,product,quantity,valid_from\nLIC-FILE,Device management,5,2026-01-01\n"
    imported = vendor.post(
        "/api/v1/licences/import",
        {"account_id": customer.pk, "file": _csv(text)},
        content_type="multipart",
    )
    assert imported.status_code == 200 and imported.json()["created"] == 1
    bad = vendor.post(
        "/api/v1/licences/import",
        {"account_id": customer.pk, "file": _csv("reference,product\nX,Y\n")},
        content_type="multipart",
    )
    assert bad.status_code == 422 and bad.json()["errors"]
    other = api_client.as_user(other_customer_user)
    assert other.get(f"/api/v1/licences/{mine.pk}").status_code == 404


def test_r_por_1_portal_import_by_the_vendor(client, csm, customer):
    client.force_login(csm)
    text = "reference,product,quantity,valid_from\nLIC-P,Device management,5,2026-01-01\n"
    r = client.post("/licences/import/", {"account": customer.pk, "file": _csv(text)})
    assert r.status_code == 302
    assert Licence.objects.get(reference="LIC-P").account == customer
    r = client.post(
        "/licences/import/", {"account": customer.pk, "file": _csv("reference,product\nA,B\n")}
    )
    assert r.status_code == 422 and "nothing was saved" in r.content.decode()


def test_r_por_1_list_costs_a_constant_number_of_queries(
    client, csm, customer, models, django_assert_max_num_queries
):
    for n in range(30):
        _licence(csm, customer, f"LIC-{n:03d}")
    client.force_login(csm)
    with django_assert_max_num_queries(12):
        assert client.get("/licences/").status_code == 200


def test_r_por_1_customers_may_not_import_licences(client, customer_user, customer):
    client.force_login(customer_user)
    assert client.get("/licences/import/").status_code == 403
    page = client.get("/licences/").content.decode()
    assert "/licences/import/" not in page  # the button is not offered either


def test_r_por_1_licence_quantities_are_written_in_the_readers_language(
    client, csm, customer, customer_user
):
    _licence(csm, customer, "LIC-BIG", quantity=1500)
    client.force_login(customer_user)
    english = client.get("/licences/").content.decode()
    assert '<td class="numeric">1,500</td>' in english
    assert '<td class="numeric">1500</td>' not in english
    customer_user.language = "fr"
    customer_user.save()
    french = client.get("/licences/").content.decode()
    assert '<td class="numeric">1\u202f500</td>' in french
    assert "1 licence" in french
