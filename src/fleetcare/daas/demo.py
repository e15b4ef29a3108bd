"""Demo DaaS: Maple sold 150 CCX 500 with extended cover to Northwind (a threshold case);
Thames sold phones to Contoso, delivered by the distributor. Idempotent per partner-customer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fleetcare.catalog.models import ProductModel

from . import services
from .models import Subscription


def _say(out: Any, text: str) -> None:
    if out is not None:
        out.write(text + "\n")


def _subscribe(ctx, partner_key, customer_key, site_name, items, delivered_on, distributor=None):
    partner = ctx.partners[partner_key]
    customer = ctx.daas_customers[customer_key]
    if Subscription.objects.filter(partner=partner, customer=customer).exists():
        return None
    site = ctx.sites.get(site_name) or customer.sites.order_by("id").first()
    models = {m.sku: m for m in ProductModel.objects.filter(sku__in=[i[0] for i in items])}
    enrolment = [
        services.EnrolmentItem(models[sku], qty, cover)
        for sku, qty, cover in items
        if sku in models
    ]
    if not enrolment:
        return None
    actor = next(u for u in ctx.users.values() if u.organisation_id == partner.pk)
    sub = services.create_subscription(
        actor=actor,
        customer=customer,
        site=site,
        items=enrolment,
        term_months=36,
        on=delivered_on - timedelta(days=7),
        distributor=distributor,
    )
    services.record_delivery(actor=actor, subscription=sub, delivered_on=delivered_on)
    # The distributor's delivery note gives each unit's serial number.
    for enrolment in sub.devices.select_related("device", "product_model").order_by("id"):
        device = enrolment.device
        if device is not None and not device.serial_number:
            device.serial_number = f"{enrolment.product_model.sku[:4]}{device.pk:07d}"
            device.save(update_fields=["serial_number"])
    return sub


def load(ctx: Any, out: Any = None) -> None:
    today = ctx.today
    # The support demo opens its DaaS case on Northwind's first enrolled device, with the
    # catalogue's first supported video model: enrol five of those first.
    video = (
        ProductModel.objects.filter(category__code="video", end_of_support_on__isnull=True)
        .order_by("sku")
        .first()
    )
    daas_priced = video is not None and video.prices.filter(daas_monthly_price__isnull=False)
    first = [(video.sku, 5, False)] if daas_priced else []
    northwind = _subscribe(
        ctx,
        "maple",
        "northwind",
        "",
        [*first, ("CCX-500", 150, True)],
        date(today.year - 1, 11, 3),
        ctx.distributor,
    )
    contoso = _subscribe(
        ctx,
        "thames",
        "contoso",
        "",
        [("ROVE-40", 20, False), ("TRIO-C60", 5, True)],
        (today.replace(day=1) - timedelta(days=40)).replace(day=17),
        ctx.distributor,
    )
    for sub in (northwind, contoso):
        if sub is not None:
            _say(out, f"  DaaS subscription {sub.reference}: {sub.customer} via {sub.partner}")
