"""Demo replacement orders in every state: one overdue with its charge, one charged, one
destroyed on site, one rejected, and Northwind's fourth spill of the year flagged over the
DaaS threshold. Idempotent: each order is found by its demo key in the fault description."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from fleetcare.billing.services import issue_document
from fleetcare.catalog.models import ProductModel
from fleetcare.contracts.models import EnterpriseContract
from fleetcare.daas.models import SubscribedDevice
from fleetcare.fleet.models import Device, DeviceStatus
from fleetcare.support.models import Case, Entitlement

from . import services
from .models import ReplacementOrder

CERTIFICATE = b"%PDF-1.4\n% demo certificate of destruction\n"


def _say(out: Any, text: str) -> None:
    if out is not None:
        out.write(text + "\n")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _contract(ctx, key: str, onsite: bool) -> EnterpriseContract:
    account = ctx.customers[key]
    qs = EnterpriseContract.objects.filter(account=account).in_force(ctx.today)
    if onsite:
        qs = qs.filter(onsite_destruction=True)
    found = qs.order_by("id").first()
    if found is not None:
        return found
    contract, _ = EnterpriseContract.objects.get_or_create(
        reference=f"RMA-DEMO-PE-{key.upper()}",
        defaults={
            "account": account,
            "start_date": date(ctx.today.year, 1, 1),
            "end_date": date(ctx.today.year, 12, 31),
            "status": "active",
            "currency": account.currency,
            "onsite_destruction": onsite,
        },
    )
    return contract


def _device(account, model, site) -> Device:
    return Device.objects.create(
        account=account,
        site=site,
        product_model=model,
        first_seen_on=date(2025, 1, 1),
        last_seen_on=date(2025, 1, 1),
    )


def _case(
    key,
    account,
    requester,
    model,
    device,
    *,
    entitlement,
    contract=None,
    daas=None,
    partner=None,
    opened,
) -> Case:
    return Case.objects.create(
        reference=f"CS-{key}"[:20],
        account=account,
        requester=requester,
        opened_by_partner=partner,
        product_model=model,
        device=device,
        severity="S3",
        status="solved",
        subject=f"Hardware fault: {model.name}",
        description="Diagnosed as a hardware fault; replacement needed.",
        entitlement=entitlement,
        programme_code=(
            contract.programme_code
            if contract
            else daas.subscription.programme_code
            if daas
            else ""
        ),
        enterprise_contract=contract,
        daas_device=daas,
        opened_at=opened,
        solved_at=opened + timedelta(hours=3),
    )


STEPS = ["approve", "ship", "deliver", "return", "close"]


def _advance(order, ctx, until: str, start: date, *, destroy: bool = False) -> None:
    u = ctx.users
    if until == "requested":
        return
    services.approve(order, actor=u["agent"], now=_at(start, 9))
    if until == "approved":
        return
    services.ship(
        order,
        actor=u["ops"],
        carrier="DHL Express",
        tracking_number=f"JD{order.pk:010d}",
        now=_at(start, 16),
    )
    if until == "shipped":
        return
    services.deliver(order, actor=u["ops"], delivered_on=start + timedelta(days=1))
    if until == "delivered":
        return
    if destroy:
        services.record_destruction(
            order,
            actor=u["ops"],
            certificate=ContentFile(CERTIFICATE, name="certificate.pdf"),
            certificate_number=f"CD-{order.reference}",
            destroyed_on=start + timedelta(days=3),
            destroyed_by="SecureShred GmbH, on site",
        )
        return
    if until in ("awaiting_return", "overdue", "charged"):
        return
    services.receive_return(order, actor=u["ops"], returned_on=start + timedelta(days=6))
    if until == "returned":
        return
    services.close(order, actor=u["ops"])


def load(ctx: Any, out: Any = None) -> None:
    if ReplacementOrder.objects.filter(fault_description__startswith="Demo ").exists():
        return
    today = ctx.today
    acme = ctx.customers["acme"]
    site = acme.sites.order_by("id").first()
    voice = (
        ProductModel.objects.filter(sku="CCX-600").first()
        or ProductModel.objects.filter(category__code="voice").first()
    )
    video = (
        ProductModel.objects.filter(category__code="video", end_of_support_on__isnull=True)
        .order_by("sku")
        .first()
        or voice
    )
    contract = _contract(ctx, "acme", onsite=False)
    admin = ctx.users["acme"]
    plan = [
        ("requested", 2),
        ("approved", 3),
        ("shipped", 4),
        ("awaiting_return", 5),
        ("returned", 20),
        ("closed", 40),
        ("overdue", 45),
        ("charged", 60),
    ]
    made = []
    for i, (state, ago) in enumerate(plan, start=1):
        start = today - timedelta(days=ago)
        model = video if i % 2 else voice
        device = _device(acme, model, site)
        case = _case(
            f"RMA-D{i:02d}",
            acme,
            admin,
            model,
            device,
            entitlement=Entitlement.ACCOUNT_WIDE,
            contract=contract,
            opened=_at(start, 8),
        )
        order = services.request_replacement(
            actor=ctx.users["agent"],
            case=case,
            cause="hardware_fault",
            delivery_site=site,
            fault_description=f"Demo {state}: unit does not power on.",
            now=_at(start, 8),
        )
        _advance(order, ctx, state, start)
        made.append(order)

    # Rejected: not entitled (a quote-only model, no contract covers it).
    globex = ctx.customers["globex"]
    g_site = globex.sites.order_by("id").first()
    case = _case(
        "RMA-D09",
        globex,
        ctx.users["globex"],
        video,
        None,
        entitlement=Entitlement.NONE,
        opened=_at(today - timedelta(days=3)),
    )
    services.request_replacement(
        actor=ctx.users["agent"],
        case=case,
        cause="hardware_fault",
        delivery_site=g_site,
        fault_description="Demo rejected: no contract.",
        now=_at(today - timedelta(days=3)),
    )

    # Destroyed on site (Initech has the on-site destruction option).
    initech = ctx.customers["initech"]
    i_contract = _contract(ctx, "initech", onsite=True)
    i_site = initech.sites.order_by("id").first()
    start = today - timedelta(days=15)
    case = _case(
        "RMA-D10",
        initech,
        ctx.users["initech"],
        voice,
        _device(initech, voice, i_site),
        entitlement=Entitlement.ACCOUNT_WIDE,
        contract=i_contract,
        opened=_at(start, 8),
    )
    order = services.request_replacement(
        actor=ctx.users["agent"],
        case=case,
        cause="hardware_fault",
        delivery_site=i_site,
        onsite_destruction=True,
        fault_description="Demo destroyed: classified site.",
        now=_at(start, 8),
    )
    _advance(order, ctx, "destroyed", start, destroy=True)
    start = today - timedelta(days=3)
    case = _case(
        "RMA-D11",
        initech,
        ctx.users["initech"],
        voice,
        _device(initech, voice, i_site),
        entitlement=Entitlement.ACCOUNT_WIDE,
        contract=i_contract,
        opened=_at(start, 8),
    )
    order = services.request_replacement(
        actor=ctx.users["agent"],
        case=case,
        cause="hardware_fault",
        delivery_site=i_site,
        onsite_destruction=True,
        fault_description="Demo delivered: awaiting the certificate.",
        now=_at(start, 8),
    )
    _advance(order, ctx, "delivered", start)

    # Northwind (DaaS, 150 devices with extended cover): four spills this year, the 4th flagged.
    northwind = ctx.daas_customers["northwind"]
    maple = ctx.partners["maple"]
    enrolments = list(
        SubscribedDevice.objects.filter(
            subscription__customer=northwind,
            subscription__partner=maple,
            extended_cover=True,
            replaced_by__isnull=True,
            device__status=DeviceStatus.ACTIVE,
        )
        .select_related("device", "product_model")
        .order_by("id")[:4]
    )
    n_site = northwind.sites.order_by("id").first()
    year_start = date(today.year, 1, 2)
    for i, enrolment in enumerate(enrolments):
        start = max(year_start, today - timedelta(days=40 - 8 * i))
        case = _case(
            f"RMA-N{i + 1:02d}",
            northwind,
            ctx.users["maple"],
            enrolment.product_model,
            enrolment.device,
            entitlement=Entitlement.PER_DEVICE,
            daas=enrolment,
            partner=maple,
            opened=_at(start, 8),
        )
        order = services.request_replacement(
            actor=ctx.users["maple"],
            case=case,
            cause="spill",
            delivery_site=n_site,
            fault_description=f"Demo spill {i + 1}: coffee in the keypad.",
            now=_at(start, 15),
        )
        _advance(order, ctx, ["closed", "returned", "awaiting_return", "approved"][i], start)
    services.mark_overdue_returns(timezone.now())
    charged = ReplacementOrder.objects.filter(fault_description__startswith="Demo charged").first()
    if charged and charged.charge_document and charged.charge_document.status == "draft":
        issue_document(charged.charge_document, actor=ctx.users["billing"])
    _say(out, f"  {ReplacementOrder.objects.count()} replacement orders in every state")
