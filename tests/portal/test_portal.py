"""Portal shell: login, home per role, catalogue, model page, profile, tenancy, French."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from fleetcare.catalog.models import FirmwareRelease, ProductDocument, SparePart
from fleetcare.organisations.models import ApiToken
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    ProductModelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def page(client, user, url, **kwargs):
    client.force_login(user)
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- login / logout -----------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    for name in ("portal:home", "portal:catalog", "portal:profile"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_is_accessible(client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en"' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert '<label for="language-select">' in html


def test_login_and_logout(client, customer_user):
    response = client.post(reverse("login"), {"username": "acme-admin", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert "Acme SA" in client.get(reverse("portal:home")).content.decode()

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("portal:home")).status_code == 302


def test_wrong_password_shows_an_error(client, customer_user):
    response = client.post(reverse("login"), {"username": "acme-admin", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


# --- base layout ----------------------------------------------------------------


def test_layout_has_landmarks_nav_and_htmx(client, customer_user):
    html = page(client, customer_user, reverse("portal:catalog"))
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert f'<a href="{reverse("portal:catalog")}" aria-current="page">Catalogue</a>' in html
    assert f'<a href="{reverse("portal:home")}">Home</a>' in html
    assert f'action="{reverse("logout")}" method="post"' in html
    assert f'href="{reverse("portal:profile")}"' in html
    # htmx from our own origin, no inline script or style (CSP).
    assert "/static/django_htmx/htmx-2.min.js" in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag
    assert " style=" not in html
    assert "<style" not in html
    assert "X-CSRFToken" in html


def test_content_security_policy_header(client, customer_user):
    client.force_login(customer_user)
    response = client.get(reverse("portal:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_static_files_are_found(client):
    assert client.get("/static/portal/portal.css").status_code == 200
    assert client.get("/static/django_htmx/htmx-2.min.js").status_code == 200


# --- home per role ----------------------------------------------------------------


def test_customer_home_shows_its_organisation_and_sites(client, customer_user, other_customer):
    html = page(client, customer_user, reverse("portal:home"))
    assert "Acme SA" in html
    assert "Paris HQ" in html
    assert "Globex" not in html
    assert "Austin" not in html


def test_vendor_home_lists_organisations_with_links(
    client, vendor_user, customer, other_customer, partner
):
    agent = vendor_user("support_agent")
    html = page(client, agent, reverse("portal:home"))
    for org in (customer, other_customer, partner):
        assert org.name in html
        assert reverse("portal:organisation_detail", args=[org.pk]) in html


def test_partner_home_shows_its_daas_customers(client, partner_user, daas_customer, customer):
    html = page(client, partner_user, reverse("portal:home"))
    assert "Maple Partners" in html
    assert "Northwind Ltd" in html
    assert reverse("portal:organisation_detail", args=[daas_customer.pk]) in html
    assert "Acme SA" not in html


def test_distributor_home_shows_its_organisation(client, distributor_user, customer):
    html = page(client, distributor_user, reverse("portal:home"))
    assert "Channel Dist" in html
    assert "Acme SA" not in html


def test_end_user_is_told_to_contact_its_partner(client, partner, daas_customer):
    end_user = UserFactory(organisation=daas_customer, role="end_user")
    html = page(client, end_user, reverse("portal:home"))
    assert "Please contact Maple Partners" in html
    assert "Toronto" not in html


# --- catalogue ------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    today = timezone.localdate()
    video = CategoryFactory(code="video")
    personal = CategoryFactory(code="personal")
    studio = ProductModelFactory(
        sku="2200-86260-001", name="Studio X50", family="Studio", category=video
    )
    ProductModelFactory(sku="2200-85980-001", name="G7500", family="G7500", category=video)
    ProductModelFactory(
        sku="207576-01",
        name="Voyager 4320",
        family="Voyager",
        category=personal,
        end_of_sale_announced_on=today - timedelta(days=400),
        end_of_sale_effective_on=today - timedelta(days=200),
    )
    ProductModelFactory(
        sku="88828-01",
        name="Blackwire 3220",
        family="Blackwire",
        category=personal,
        end_of_sale_effective_on=today - timedelta(days=900),
        end_of_support_on=today - timedelta(days=30),
    )
    return {"video": video, "personal": personal, "studio": studio}


def test_catalogue_lists_and_searches(client, customer_user, catalogue):
    html = page(client, customer_user, reverse("portal:catalog"))
    assert "4 models found" in html
    for name in ("Studio X50", "G7500", "Voyager 4320", "Blackwire 3220"):
        assert name in html
    assert reverse("portal:model_detail", args=[catalogue["studio"].pk]) in html

    html = page(client, customer_user, reverse("portal:catalog"), data={"q": "voyager"})
    assert "Voyager 4320" in html
    assert "Studio X50" not in html

    html = page(client, customer_user, reverse("portal:catalog"), data={"q": "86260"})
    assert "1 model found" in html
    assert "Studio X50" in html


def test_catalogue_filters(client, customer_user, catalogue):
    url = reverse("portal:catalog")
    html = page(client, customer_user, url, data={"category": catalogue["personal"].pk})
    assert "Voyager 4320" in html and "Blackwire 3220" in html
    assert "Studio X50" not in html

    html = page(client, customer_user, url, data={"lifecycle": "end_of_support"})
    assert "Blackwire 3220" in html
    assert "Voyager 4320" not in html and "Studio X50" not in html

    html = page(client, customer_user, url, data={"lifecycle": "end_of_sale"})
    assert "Voyager 4320" in html
    assert "Blackwire 3220" not in html

    html = page(
        client, customer_user, url, data={"lifecycle": "active", "category": catalogue["video"].pk}
    )
    assert "Studio X50" in html and "G7500" in html
    assert "Voyager 4320" not in html


def test_catalogue_form_has_htmx_live_search(client, customer_user, catalogue):
    html = page(client, customer_user, reverse("portal:catalog"))
    assert f'hx-get="{reverse("portal:catalog")}"' in html
    assert 'hx-target="#catalog-results"' in html
    assert '<div id="catalog-results" aria-live="polite">' in html
    assert '<label for="id_q">' in html
    assert '<label for="id_category">' in html
    assert '<label for="id_lifecycle">' in html


def test_catalogue_htmx_request_gets_the_results_partial(client, customer_user, catalogue):
    client.force_login(customer_user)
    response = client.get(reverse("portal:catalog"), {"q": "G7500"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert '<nav class="main-nav"' not in html
    assert "G7500" in html
    assert "Studio X50" not in html
    assert "HX-Request" in response["Vary"]
    # The language switch follows the URL htmx pushed (out-of-band swap).
    assert 'id="language-next"' in html
    assert 'value="/catalog/?q=G7500" hx-swap-oob="true"' in html


def test_catalogue_is_paginated_by_25(client, customer_user):
    category = CategoryFactory(code="voice")
    for i in range(30):
        ProductModelFactory(name=f"Phone {i:02d}", family="CCX", category=category)
    html = page(client, customer_user, reverse("portal:catalog"))
    assert "30 models found" in html
    assert html.count('<th scope="row"><a href="/catalog/') == 25
    assert "Page 1 of 2" in html
    html = page(client, customer_user, reverse("portal:catalog"), data={"page": 2})
    assert html.count('<th scope="row"><a href="/catalog/') == 5


def test_catalogue_costs_a_constant_number_of_queries(
    client, customer_user, django_assert_max_num_queries
):
    client.force_login(customer_user)
    category = CategoryFactory(code="voice")
    ProductModelFactory(category=category)
    with django_assert_max_num_queries(9) as small:  # + the reader's zone
        client.get(reverse("portal:catalog"))
    for _ in range(40):
        ProductModelFactory(category=CategoryFactory(code="video"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("portal:catalog"))


# --- model page -------------------------------------------------------------------


def test_model_page(client, customer_user, catalogue):
    model = catalogue["studio"]
    model.end_of_sale_announced_on = timezone.localdate() + timedelta(days=100)
    model.save()
    model.prices.filter(currency=customer_user.organisation.currency).update(
        pe_yearly_price=Decimal("123.45")
    )
    FirmwareRelease.objects.create(
        product_model=model, version="4.1.0", released_on=timezone.localdate() - timedelta(days=90)
    )
    FirmwareRelease.objects.create(
        product_model=model,
        version="4.2.1",
        released_on=timezone.localdate() - timedelta(days=10),
        notes="Fixes",
    )
    ProductDocument.objects.create(
        product_model=model,
        kind="datasheet",
        title="Studio X50 data sheet",
        url="https://example.test/ds.pdf",
    )
    part = SparePart.objects.create(
        part_number="2215-86260-001", name="Studio X50 power supply", list_price=Decimal("49.00")
    )
    part.compatible_models.add(model)
    SparePart.objects.create(
        part_number="OTHER-1", name="Unrelated cable", list_price=Decimal("5.00")
    )

    html = page(client, customer_user, reverse("portal:model_detail", args=[model.pk]))
    assert "<h1>Studio X50</h1>" in html
    assert "Latest release: <strong>4.2.1</strong>" in html
    assert "4.1.0" in html
    assert "Studio X50 data sheet" in html
    assert "Studio X50 power supply" in html
    assert "Unrelated cable" not in html
    assert "123.45" in html
    assert "End of sale announced on" in html
    assert model.end_of_sale_announced_on.strftime("%Y") in html


def test_unknown_model_is_404(client, customer_user):
    client.force_login(customer_user)
    response = client.get(reverse("portal:model_detail", args=[999999]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- profile and API tokens -----------------------------------------------------------


def test_profile_creates_a_token_shown_once_and_stored_hashed(client, customer_user):
    client.force_login(customer_user)
    response = client.post(reverse("portal:profile"), {"action": "create", "name": "inventory"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    raw = re.search(r'id="new-token-value"[^>]*value="([^"]+)"', html).group(1)
    assert raw.startswith("fc_")

    token = ApiToken.objects.get(user=customer_user)
    assert token.name == "inventory"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.key_prefix)
    # The database never holds the raw token: neither the token row nor the session.
    for value in ApiToken.objects.values_list("name", "key_prefix", "key_hash").get():
        assert raw not in value
    for session in Session.objects.all():
        assert raw not in session.get_decoded().__repr__()
        assert raw not in session.session_data

    # Shown once: the next visit lists the token by prefix only.
    html = client.get(reverse("portal:profile")).content.decode()
    assert raw not in html
    assert token.key_prefix in html
    assert "inventory" in html

    # And it works on the API.
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_profile_token_name_is_required(client, customer_user):
    client.force_login(customer_user)
    response = client.post(reverse("portal:profile"), {"action": "create", "name": ""})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert 'class="field-error"' in response.content.decode()


def test_profile_revokes_a_token(client, customer_user):
    token, raw = ApiToken.issue(customer_user, "ci")
    client.force_login(customer_user)
    response = client.post(reverse("portal:profile"), {"action": "revoke", "token": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.authenticate(raw) is None
    html = client.get(reverse("portal:profile")).content.decode()
    assert "revoked on" in html


def test_cannot_revoke_someone_elses_token(client, customer_user, other_customer_user):
    token, _raw = ApiToken.issue(other_customer_user, "theirs")
    client.force_login(customer_user)
    response = client.post(reverse("portal:profile"), {"action": "revoke", "token": token.pk})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "theirs" not in client.get(reverse("portal:profile")).content.decode()


# --- organisation page and tenancy ------------------------------------------------------


def test_organisation_page_shows_sites(client, customer_user, customer):
    html = page(client, customer_user, reverse("portal:organisation_detail", args=[customer.pk]))
    assert "<h1>Acme SA</h1>" in html
    assert "Paris HQ" in html


def test_another_customers_organisation_is_404(client, customer_user, other_customer):
    client.force_login(customer_user)
    response = client.get(reverse("portal:organisation_detail", args=[other_customer.pk]))
    assert response.status_code == 404
    assert "Globex" not in response.content.decode()


def test_partner_sees_its_daas_customer_but_not_others(
    client, partner_user, daas_customer, customer
):
    html = page(
        client, partner_user, reverse("portal:organisation_detail", args=[daas_customer.pk])
    )
    assert "Toronto" in html
    client.force_login(partner_user)
    response = client.get(reverse("portal:organisation_detail", args=[customer.pk]))
    assert response.status_code == 404


def test_vendor_sees_any_organisation(client, vendor_user, other_customer, partner, daas_customer):
    html = page(
        client, vendor_user("csm"), reverse("portal:organisation_detail", args=[other_customer.pk])
    )
    assert "Austin" in html
    html = page(
        client, vendor_user("csm"), reverse("portal:organisation_detail", args=[partner.pk])
    )
    assert "Northwind Ltd" in html


def test_distributor_cannot_see_a_customer(client, distributor_user, customer):
    client.force_login(distributor_user)
    response = client.get(reverse("portal:organisation_detail", args=[customer.pk]))
    assert response.status_code == 404


# --- languages ----------------------------------------------------------------------------


def test_french_via_cookie(client, customer_user, catalogue):
    client.force_login(customer_user)
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="fr"' in html
    assert "Accueil" in html
    assert "Se déconnecter" in html
    assert "Aller au contenu principal" in html
    html = client.get(reverse("portal:catalog")).content.decode()
    assert "4 modèles trouvés" in html
    assert "Rechercher" in html
    assert "Fin de support" in html


def test_set_language_saves_the_users_choice(client, customer_user):
    client.force_login(customer_user)
    response = client.post(
        reverse("portal:set_language"), {"language": "fr", "next": reverse("portal:catalog")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:catalog")
    assert response.cookies["django_language"].value == "fr"
    customer_user.refresh_from_db()
    assert customer_user.language == "fr"

    # The saved choice follows the user to a new browser (no cookie).
    fresh = client_class_for(client)
    fresh.force_login(customer_user)
    assert "Accueil" in fresh.get(reverse("portal:home")).content.decode()


def test_set_language_refuses_get_and_foreign_redirects(client, customer_user):
    client.force_login(customer_user)
    assert client.get(reverse("portal:set_language")).status_code == 405
    response = client.post(
        reverse("portal:set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_unknown_language_is_ignored(client, customer_user):
    client.force_login(customer_user)
    client.post(reverse("portal:set_language"), {"language": "xx", "next": "/"})
    customer_user.refresh_from_db()
    assert customer_user.language == "en"


def client_class_for(client):
    return type(client)()
