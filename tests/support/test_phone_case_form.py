"""The agents' phone-case form (issue 14): type-ahead pickers for the requester and the
device, tenant-scoped and permission-checked; the requester is required. R-DS-6: the
people of a DaaS customer are sent to their partner before any form is shown."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from fleetcare.fleet.models import Device
from fleetcare.support.models import Case
from tests.factories import SiteFactory, UserFactory, active_pe_contract

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _device(account, model, serial, site=None, status="active") -> Device:
    return Device.objects.create(
        account=account,
        product_model=model,
        site=site,
        serial_number=serial,
        status=status,
        first_seen_on=date(2026, 1, 1),
        last_seen_on=date(2026, 1, 1),
    )


@pytest.fixture
def fleet(customer, other_customer, model, models):
    lyon = SiteFactory(organisation=customer, name="Lyon plant", city="Lyon", time_zone="UTC")
    paris = customer.sites.get(name="Paris HQ")
    return {
        "lyon": _device(customer, model, "SX-LY-1", lyon),
        "paris": _device(customer, model, "SX-PA-2", paris),
        "retired": _device(customer, model, "SX-OLD", paris, status="retired"),
        "voice": _device(customer, models["voice"], "CCX-PA-3", paris),
        "foreign": _device(other_customer, model, "SX-GX-9", other_customer.sites.first()),
    }


def _people(user, **params):
    return _client(user).get(reverse("support:pick_people"), params)


def _devices(user, **params):
    return _client(user).get(reverse("support:pick_devices"), params)


def test_people_picker_offers_only_the_accounts_people(
    agent, customer, customer_user, other_customer_user
):
    colleague = UserFactory(
        organisation=customer, username="jdupont", first_name="Jeanne", last_name="Dupont"
    )
    html = _people(agent, account=customer.pk).content.decode()
    assert f'value="{customer_user.pk}"' in html and f'value="{colleague.pk}"' in html
    assert f'value="{other_customer_user.pk}"' not in html
    assert f'value="{agent.pk}"' not in html
    html = _people(agent, account=customer.pk, requester_q="dupont").content.decode()
    assert f'value="{colleague.pk}"' in html and f'value="{customer_user.pk}"' not in html
    # The current choice stays offered (checked) while the search narrows the rest.
    html = _people(
        agent, account=customer.pk, requester_q="dupont", requester=customer_user.pk
    ).content.decode()
    assert f'value="{customer_user.pk}" checked' in html


def test_people_picker_is_for_agents_only(customer_user, partner_user, billing_user, customer):
    for user in (customer_user, partner_user, billing_user):
        assert _people(user, account=customer.pk).status_code == 403


def test_people_picker_without_account_asks_for_one(agent):
    html = _people(agent).content.decode()
    assert "Choose the account first." in html and 'type="radio"' not in html


def test_device_picker_filters_by_model_and_searches_serial_or_site(agent, customer, model, fleet):
    html = _devices(agent, account=customer.pk, product_model=model.pk).content.decode()
    for key in ("lyon", "paris"):
        assert f'value="{fleet[key].pk}"' in html
    for key in ("retired", "voice", "foreign"):  # retired, other model, other tenant
        assert f'value="{fleet[key].pk}"' not in html
    html = _devices(
        agent, account=customer.pk, product_model=model.pk, device_q="lyon"
    ).content.decode()
    assert f'value="{fleet["lyon"].pk}"' in html and f'value="{fleet["paris"].pk}"' not in html
    html = _devices(
        agent, account=customer.pk, product_model=model.pk, device_q="PA-2"
    ).content.decode()
    assert f'value="{fleet["paris"].pk}"' in html and f'value="{fleet["lyon"].pk}"' not in html


def test_r_ten_1_device_picker_never_offers_another_tenants_devices(
    customer_user, other_customer, model, fleet, partner_user
):
    # A customer asking for another account gets its own fleet only.
    html = _devices(customer_user, account=other_customer.pk, product_model=model.pk)
    assert html.status_code == 200
    text = html.content.decode()
    assert f'value="{fleet["foreign"].pk}"' not in text and f'value="{fleet["lyon"].pk}"' in text
    # A partner naming a customer it did not sell to: 404.
    assert (
        _devices(partner_user, account=other_customer.pk, product_model=model.pk).status_code == 404
    )


def test_pickers_need_a_sign_in(client, customer):
    assert client.get(reverse("support:pick_people"), {"account": customer.pk}).status_code == 302


def _phone_case(**extra) -> dict:
    return {
        "severity": "S2",
        "subject": "Called in: no audio",
        "description": "The caller's room has no audio since this morning.",
        "channel": "phone",
        **extra,
    }


def test_phone_case_without_requester_is_refused_and_keeps_the_text(
    agent, customer, model, pe_contract
):
    r = _client(agent).post(
        reverse("support:case_new"), _phone_case(account=customer.pk, product_model=model.pk)
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "Choose the requester" in html
    assert "The caller&#x27;s room has no audio since this morning." in html
    assert not Case.objects.exists()


def test_phone_case_requester_of_another_account_is_refused(
    agent, customer, model, pe_contract, other_customer_user
):
    r = _client(agent).post(
        reverse("support:case_new"),
        _phone_case(account=customer.pk, product_model=model.pk, requester=other_customer_user.pk),
    )
    assert "Choose a person of the account." in r.content.decode()
    assert not Case.objects.exists()


def test_phone_case_with_picked_requester_and_device(
    agent, customer, customer_user, model, pe_contract, fleet
):
    r = _client(agent).post(
        reverse("support:case_new"),
        _phone_case(
            account=customer.pk,
            product_model=model.pk,
            requester=customer_user.pk,
            device=fleet["lyon"].pk,
        ),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    case = Case.objects.get()
    assert case.requester == customer_user and case.channel == "phone"
    assert case.device == fleet["lyon"]


def test_phone_case_device_of_another_model_is_refused(
    agent, customer, customer_user, model, pe_contract, fleet
):
    r = _client(agent).post(
        reverse("support:case_new"),
        _phone_case(
            account=customer.pk,
            product_model=model.pk,
            requester=customer_user.pk,
            device=fleet["voice"].pk,
        ),
    )
    assert "Choose an active device of the account and of the model." in r.content.decode()
    assert not Case.objects.exists()


def test_the_form_shows_pickers_not_numeric_ids(agent, customer):
    html = _client(agent).get(reverse("support:case_new")).content.decode()
    assert "Requester user ID" not in html and "Device ID" not in html
    assert f'hx-get="{reverse("support:pick_people")}"' in html
    assert f'hx-get="{reverse("support:pick_devices")}"' in html


def test_bound_form_shows_the_chosen_requester_checked(agent, customer, customer_user, model):
    r = _client(agent).post(
        reverse("support:case_new"),
        {"account": customer.pk, "product_model": model.pk, "requester": customer_user.pk},
    )
    assert f'value="{customer_user.pk}" checked' in r.content.decode()


# --- R-DS-6: the people of a DaaS customer are sent to the partner, before any form ----


def test_r_ds_6_daas_admin_is_sent_to_the_partner_before_the_form(daas_admin):
    c = _client(daas_admin)
    html = c.get(reverse("support:case_new")).content.decode()
    assert "Please contact Maple Partners, your service partner" in html
    assert 'name="subject"' not in html
    assert reverse("support:case_new") not in c.get(reverse("support:cases")).content.decode()
    r = c.post(reverse("support:case_new"), _phone_case(channel=""))
    assert 'name="subject"' not in r.content.decode() and not Case.objects.exists()


def test_r_ds_6_daas_customer_with_its_own_contract_opens_cases(daas_admin, daas_customer, video):
    active_pe_contract(
        daas_customer, video, reference="PE-NW", start=date(2025, 1, 1), end=date(2030, 12, 31)
    )
    html = _client(daas_admin).get(reverse("support:case_new")).content.decode()
    assert 'name="subject"' in html


def test_r_ds_6_end_user_sees_the_partner_page(daas_end_user):
    html = _client(daas_end_user).get(reverse("support:case_new")).content.decode()
    assert "Please contact Maple Partners" in html and 'name="subject"' not in html


def test_r_por_1_the_device_page_opens_a_case_form_filled_with_that_device(
    agent, customer, customer_user, fleet, model
):
    device = fleet["lyon"]
    customer_client = _client(customer_user)
    page = customer_client.get(reverse("fleet:device_detail", args=[device.pk])).content.decode()
    link = f"{reverse('support:case_new')}?device={device.pk}"
    assert f'href="{link}"' in page
    form = customer_client.get(link)
    assert form.context["form"].initial == {
        "account": customer.pk,
        "product_model": model.pk,
        "device": device.pk,
    }
    html = form.content.decode()
    assert f'value="{device.pk}" selected' in html or f'value="{device.pk}" checked' in html
    assert f'<option value="{model.pk}" selected>' in html
    # The agent's form starts on the account as well.
    agent_form = _client(agent).get(link)
    assert f'<option value="{customer.pk}" selected>' in agent_form.content.decode()


def test_r_por_1_a_device_the_reader_may_not_choose_is_said_not_filled(
    customer_user, fleet, other_customer_user
):
    for device in (fleet["foreign"], fleet["retired"]):
        r = _client(customer_user).get(reverse("support:case_new"), {"device": device.pk})
        assert r.status_code == 200 and r.context["form"].initial == {}
        texts = [str(m) for m in r.context["messages"]]
        assert "That device cannot be chosen for a case: choose the device in the form." in texts
    bad = _client(customer_user).get(reverse("support:case_new"), {"device": "9" * 40})
    assert bad.status_code == 200 and bad.context["form"].initial == {}
    # A retired device offers no case button; another tenant's device page is a 404.
    retired = _client(customer_user).get(reverse("fleet:device_detail", args=[fleet["retired"].pk]))
    assert 'id="open-case-for-device"' not in retired.content.decode()
    assert (
        _client(customer_user)
        .get(reverse("fleet:device_detail", args=[fleet["foreign"].pk]))
        .status_code
        == 404
    )
