"""R-PRG-1: the data migrations turn the stored founding-programme keys ("pe", "daas") into
programme kinds and codes. The forward functions run on rows written with the old values."""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps

import fleetcare
from fleetcare.billing.models import Document
from fleetcare.replacements import services as rma
from fleetcare.replacements.models import ReplacementOrder
from fleetcare.support.models import Case
from tests.factories import make_case, pe_contract, pe_device, subscribe, voice_model

pytestmark = pytest.mark.django_db


def _migration(app: str, suffix: str):
    folder = Path(fleetcare.__file__).parent / app / "migrations"
    (path,) = folder.glob(f"[0-9][0-9][0-9][0-9]_{suffix}.py")
    return importlib.import_module(f"fleetcare.{app}.migrations.{path.stem}")


def test_r_prg_1_cases_become_kind_plus_programme_code(
    customer, customer_user, daas_customer, partner, partner_user
):
    model = voice_model()
    contract = pe_contract(customer, programme_code="poly_plus_enterprise")
    pe_case = make_case(
        customer, customer_user, entitlement="pe", product_model=model, contract=contract
    )
    sub = subscribe(partner_user, daas_customer, model, 1, delivered_on=date(2026, 1, 5))
    enrolment = sub.devices.get()
    daas_case = make_case(
        daas_customer,
        partner_user,
        entitlement="daas",
        product_model=model,
        daas_device=enrolment,
        partner=partner,
    )
    bare = make_case(customer, customer_user, entitlement="none", product_model=model)
    Case.objects.update(programme_code="")
    _migration("support", "entitlement_by_kind").forward(apps, None)
    got = {c.pk: (c.entitlement, c.programme_code) for c in Case.objects.all()}
    assert got == {
        pe_case.pk: ("account_wide", "poly_plus_enterprise"),
        daas_case.pk: ("per_device", "device_as_a_service"),
        bare.pk: ("none", ""),
    }
    _migration("support", "entitlement_by_kind").backward(apps, None)
    assert set(Case.objects.values_list("entitlement", flat=True)) == {"pe", "daas", "none"}


def test_r_prg_1_orders_and_documents_store_programme_codes(customer, customer_user, agent):
    model = voice_model()
    case = make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        device=pe_device(customer, model),
        contract=pe_contract(customer),
    )
    order = rma.request_replacement(
        actor=agent, case=case, cause="hardware_fault", delivery_site=customer.sites.first()
    )
    assert order.programme == "poly_plus_enterprise"
    ReplacementOrder.objects.update(programme="pe")
    _migration("replacements", "order_programme_code").forward(apps, None)
    assert ReplacementOrder.objects.get().programme == "poly_plus_enterprise"
    doc = Document.objects.create(
        kind="invoice",
        purpose="options",
        programme="daas",
        account=customer,
        addressed_to=customer,
        currency="EUR",
        title="t",
    )
    _migration("billing", "document_programme_code").forward(apps, None)
    doc.refresh_from_db()
    assert doc.programme == "device_as_a_service"
