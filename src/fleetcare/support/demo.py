"""Demo support cases: every state, one breached, one escalated, one with a
cloud-partner incident. Idempotent: each case is found by account + subject."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from fleetcare.catalog.models import ProductModel
from fleetcare.contracts.models import ContractCategory, EnterpriseContract
from fleetcare.daas.models import SubscribedDevice, Subscription
from fleetcare.fleet.models import Device

from . import services
from .models import Case, CloudPartner, CloudPartnerAuthorisation

PDF = b"%PDF-1.4\n% demo signed authorisation\n"


def _say(out: Any, text: str) -> None:
    if out is not None:
        out.write(text + "\n")


def _model(category: str) -> ProductModel:
    return (
        ProductModel.objects.filter(category__code=category, end_of_support_on__isnull=True)
        .order_by("sku")
        .first()
        or ProductModel.objects.filter(category__code=category).order_by("sku").first()
    )


def _ensure_contract(ctx: Any, key: str, video: ProductModel) -> None:
    account = ctx.customers[key]
    if EnterpriseContract.objects.filter(account=account).in_force(ctx.today).exists():
        return
    contract, _ = EnterpriseContract.objects.get_or_create(
        reference=f"SUP-DEMO-PE-{key.upper()}",
        defaults={
            "account": account,
            "start_date": date(ctx.today.year, 1, 1),
            "end_date": date(ctx.today.year + 2, 12, 31),
            "status": "active",
            "currency": account.currency,
        },
    )
    ContractCategory.objects.get_or_create(
        contract=contract,
        category=video.category,
        defaults={
            "installed": 20,
            "growth": 2,
            "ordered": 22,
            "baseline": Decimal("21"),
            "unit_price": video.pe_yearly_price_in(account.currency),
        },
    )


def _ensure_daas_device(ctx: Any, model: ProductModel) -> Device:
    customer = ctx.daas_customers["northwind"]
    partner = ctx.partners["maple"]
    existing = (
        SubscribedDevice.objects.filter(
            subscription__customer=customer,
            subscription__partner=partner,
            term_start__lte=ctx.today,
            term_end__gte=ctx.today,
            device__isnull=False,
            device__product_model=model,
        )
        .select_related("device__product_model")
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing.device
    site = customer.sites.order_by("id").first()
    device, _ = Device.objects.get_or_create(
        product_model=model,
        serial_number="SUP-DEMO-NW-0001",
        defaults={
            "account": customer,
            "site": site,
            "first_seen_on": ctx.today,
            "last_seen_on": ctx.today,
        },
    )
    sub, _ = Subscription.objects.get_or_create(
        reference="SUP-DEMO-DS-NW",
        defaults={"partner": partner, "customer": customer, "site": site, "currency": "CAD"},
    )
    SubscribedDevice.objects.get_or_create(
        subscription=sub,
        device=device,
        defaults={
            "product_model": model,
            "monthly_price": model.daas_monthly_price_in(sub.currency),
            "enrolled_on": ctx.today - timedelta(days=60),
            "delivered_on": ctx.today - timedelta(days=58),
            "term_start": ctx.today - timedelta(days=58),
            "term_end": ctx.today + timedelta(days=3 * 365),
        },
    )
    return device


def load(ctx: Any, out: Any = None) -> None:
    video = _model("video")
    voice = _model("voice")
    if video is None:
        _say(out, "support: no video model in the catalogue; demo cases skipped")
        return
    for key in ("acme", "initech"):
        _ensure_contract(ctx, key, video)
    nw_device = _ensure_daas_device(ctx, video)
    teams, _ = CloudPartner.objects.get_or_create(
        code="teams",
        defaults={
            "name": "Microsoft Teams",
            "contact": "Microsoft Premier Support, partner desk (demo)",
            "escalation_procedure": "Open a ticket in the partner centre with the tenant ID; "
            "ask for a joint call after 4 business hours without progress.",
        },
    )
    CloudPartner.objects.get_or_create(
        code="zoom",
        defaults={
            "name": "Zoom",
            "contact": "Zoom partner support (demo)",
            "escalation_procedure": "Partner portal ticket; severity 1 by phone.",
        },
    )
    u = ctx.users
    now = timezone.now()
    acme, globex, initech = ctx.customers["acme"], ctx.customers["globex"], ctx.customers["initech"]
    northwind = ctx.daas_customers["northwind"]
    created = 0

    def case(account, subject, actor, *, severity="S3", model=video, device=None, ago=1):
        nonlocal created
        found = Case.objects.filter(account=account, subject=subject).first()
        if found is not None:
            return found, False
        created += 1
        c = services.open_case(
            actor=actor,
            data=services.OpenCaseInput(
                product_model=model,
                severity=severity,
                subject=subject,
                description=f"{subject}. (demo case)",
                account=account,
                device=device,
            ),
            now=now - timedelta(hours=ago),
        )
        return c, True

    c, new = case(acme, "Video freezes in the Paris boardroom", u["acme"], severity="S2")
    if new:  # the second agent's case, near its first-response deadline
        services.assign(c, actor=u["admin"], owner=u["agent2"])
    c, new = case(acme, "All Lyon rooms offline", u["acme"], severity="S1", ago=3)
    if new:
        services.assign(c, actor=u["admin"], owner=u["agent"])
        services.mark_breaches(now)  # the first response (30 min) is long overdue
    c, new = case(acme, "Teams calls drop after 20 minutes", u["acme"], severity="S2", ago=4)
    if new:
        if not CloudPartnerAuthorisation.objects.filter(account=acme, cloud_partner=teams).exists():
            services.record_authorisation(
                actor=u["admin"],
                account=acme,
                cloud_partner=teams,
                document=ContentFile(PDF, name="acme-teams-authorisation.pdf"),
                valid_from=ctx.today - timedelta(days=30),
                valid_to=ctx.today + timedelta(days=335),
                signed_by="Claire Martin",
            )
        services.add_reply(
            c,
            actor=u["agent"],
            body="We see the drop in the Teams relay; opening an incident.",
            now=now - timedelta(hours=3, minutes=50),
        )
        inc = services.open_partner_incident(
            c,
            actor=u["agent"],
            cloud_partner=teams,
            partner_ticket="MS-2841-775",
            now=now - timedelta(hours=3, minutes=40),
        )
        services.update_partner_incident(
            inc,
            actor=u["agent"],
            kind="joint_call",
            body="Joint call with Microsoft support engineers.",
        )
    c, new = case(
        initech, "Codec crashes when sharing 4K content", u["initech"], severity="S2", ago=30
    )
    if new:
        services.add_reply(
            c, actor=u["agent"], body="Reproduced in the lab.", now=now - timedelta(hours=29)
        )
        esc = services.escalate(
            c,
            actor=u["agent"],
            level=2,
            reason="Crash reproduced; several sites affected.",
            owner=u["escalation"],
            now=now - timedelta(hours=28),
        )
        services.update_escalation(
            esc,
            actor=u["escalation"],
            specialist="Video codec team (Austin)",
            actions="Collected crash dumps",
            workaround="Share at 1080p",
        )
        services.add_engineering_reference(
            c, actor=u["agent"], kind="bug", reference="ENG-40412", title="4K share crash"
        )
    if voice is not None:
        c, new = case(globex, "Desk phone display flickers", u["globex"], model=voice, ago=20)
        if new:
            services.add_reply(
                c,
                actor=u["agent"],
                body="Which firmware version is installed?",
                new_status="waiting_on_customer",
                now=now - timedelta(hours=19),
            )
    c, new = case(
        northwind,
        "Room system reboots every hour",
        u["maple"],
        severity="S2",
        model=nw_device.product_model,
        device=nw_device,
        ago=2,
    )
    if new:
        services.add_reply(
            c, actor=u["agent2"], body="Please send the device logs.", now=now - timedelta(hours=1)
        )
    c, new = case(
        acme, "How to pair a headset with the room system", u["acme"], severity="S4", ago=72
    )
    if new:
        services.add_reply(
            c,
            actor=u["agent"],
            body="See the pairing guide attached to the catalogue page.",
            new_status="solved",
            now=now - timedelta(hours=70),
        )
    c, new = case(initech, "Firmware update question", u["initech"], severity="S4", ago=200)
    if new:
        services.add_reply(
            c,
            actor=u["agent"],
            body="Version 10.2 is the recommended release.",
            new_status="solved",
            now=now - timedelta(hours=190),
        )
        services.change_status(
            c, actor=u["initech"], status="closed", now=now - timedelta(hours=100)
        )
    _say(out, f"support: {created} demo cases created")
