"""The demo catalogue: realistic models across every category and quote-only class.

Prices are illustrative (USD). Lifecycle dates are relative to the demo's "today" so
that some models are always past end-of-sale and some past end-of-support.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

CATEGORIES = [
    ("personal", "Personal devices and headsets", False),
    ("video", "Video", False),
    ("voice", "Voice", False),
    ("immersive_telepresence", "Immersive Telepresence", True),
    ("media_engine", "Media engine", True),
    ("vertical_solution", "Vertical solution", True),
    ("infrastructure", "Infrastructure", True),
]

# sku, name, family, category, list, P+E yearly, DaaS monthly, lifecycle
# lifecycle: None = current; "eos" = end of sale announced (and effective) in the past;
# "eos_announced" = announced, effective later; "eosup" = past end of support.
MODELS: list[tuple[str, str, str, str, str, str | None, str | None, str | None]] = [
    (
        "VOY-FOCUS2-UC",
        "Voyager Focus 2 UC",
        "Voyager",
        "personal",
        "349.00",
        "18.00",
        "12.50",
        None,
    ),
    ("VOY-5200-UC", "Voyager 5200 UC", "Voyager", "personal", "229.00", "14.00", "9.00", None),
    ("VOY-4320-UC", "Voyager 4320 UC", "Voyager", "personal", "199.00", "12.00", "8.00", None),
    (
        "VOY-LEG-5200",
        "Voyager Legend 5200",
        "Voyager",
        "personal",
        "179.00",
        "11.00",
        None,
        "eosup",
    ),
    ("SAVI-8220-O", "Savi 8220 Office", "Savi", "personal", "389.00", "20.00", "13.50", None),
    ("SAVI-7320-O", "Savi 7320 Office", "Savi", "personal", "299.00", "16.00", "11.00", None),
    ("SAVI-W740", "Savi W740", "Savi", "personal", "329.00", "17.00", None, "eos"),
    ("BW-8225-UC", "Blackwire 8225 UC", "Blackwire", "personal", "159.00", "9.00", "6.00", None),
    ("BW-3320-USB", "Blackwire 3320 USB-A", "Blackwire", "personal", "59.00", "4.00", "2.50", None),
    ("BW-C520", "Blackwire C520", "Blackwire", "personal", "79.00", "5.00", None, "eosup"),
    ("ENC-EP320", "EncorePro 320", "EncorePro", "personal", "119.00", "7.00", "4.50", None),
    (
        "ENC-EP720",
        "EncorePro 720",
        "EncorePro",
        "personal",
        "169.00",
        "9.00",
        "6.50",
        "eos_announced",
    ),
    ("CCX-400", "CCX 400 Business Media Phone", "CCX", "voice", "299.00", "22.00", "14.00", None),
    ("CCX-500", "CCX 500 Business Media Phone", "CCX", "voice", "399.00", "26.00", "17.00", None),
    ("CCX-600", "CCX 600 Business Media Phone", "CCX", "voice", "549.00", "32.00", "21.00", None),
    ("VVX-250", "VVX 250", "VVX", "voice", "199.00", "15.00", None, "eos"),
    ("VVX-450", "VVX 450", "VVX", "voice", "299.00", "19.00", None, "eos"),
    ("VVX-411", "VVX 411", "VVX", "voice", "279.00", "18.00", None, "eosup"),
    ("TRIO-8800", "Trio 8800", "Trio", "voice", "1099.00", "60.00", "38.00", None),
    ("TRIO-C60", "Trio C60", "Trio", "voice", "1299.00", "60.00", "42.00", None),
    ("TRIO-8500", "Trio 8500", "Trio", "voice", "899.00", "55.00", None, "eosup"),
    ("ROVE-30", "Rove 30 DECT Phone", "Rove", "voice", "149.00", "10.00", "6.00", None),
    ("ROVE-40", "Rove 40 DECT Phone", "Rove", "voice", "199.00", "12.00", "7.50", None),
    ("STUDIO-X30", "Studio X30", "Studio", "video", "2199.00", "60.00", "75.00", None),
    ("STUDIO-X50", "Studio X50", "Studio", "video", "3399.00", "60.00", "110.00", None),
    ("STUDIO-X52", "Studio X52", "Studio", "video", "3999.00", "60.00", "125.00", None),
    ("STUDIO-USB", "Studio USB", "Studio", "video", "899.00", "40.00", None, "eos"),
    (
        "G7500",
        "G7500 Video Conferencing System",
        "G7500",
        "video",
        "5999.00",
        "60.00",
        "180.00",
        None,
    ),
    ("EAGLEEYE-IV", "EagleEye IV Camera", "EagleEye", "video", "2499.00", "60.00", None, "eosup"),
    (
        "ITP-MEDIALIGN",
        "Poly Medialign",
        "Immersive Telepresence",
        "immersive_telepresence",
        "59999.00",
        None,
        None,
        None,
    ),
    (
        "ITP-RPX-218",
        "RealPresence Immersive Studio",
        "Immersive Telepresence",
        "immersive_telepresence",
        "149999.00",
        None,
        None,
        "eos",
    ),
    (
        "MEDIAENG-1000",
        "Poly MediaEng Engine",
        "MediaEng",
        "media_engine",
        "12999.00",
        None,
        None,
        None,
    ),
    (
        "TH-STATION",
        "Poly Telehealth Station",
        "Vertical solutions",
        "vertical_solution",
        "8999.00",
        None,
        None,
        None,
    ),
    (
        "EDUCART-2",
        "EduCart",
        "Vertical solutions",
        "vertical_solution",
        "7499.00",
        None,
        None,
        None,
    ),
    (
        "RPRM-SRV",
        "RealPresence Resource Manager",
        "Infrastructure",
        "infrastructure",
        "24999.00",
        None,
        None,
        None,
    ),
    (
        "RPAD-EDGE",
        "RealPresence Access Director Edge",
        "Infrastructure",
        "infrastructure",
        "17999.00",
        None,
        None,
        "eosup",
    ),
]

SPARE_PARTS = [
    (
        "SP-EAR-CUSH-VOY",
        "Ear cushion kit (Voyager)",
        "19.00",
        ["VOY-FOCUS2-UC", "VOY-5200-UC", "VOY-4320-UC"],
    ),
    ("SP-CHG-STAND-VOY", "Charge stand (Voyager)", "49.00", ["VOY-FOCUS2-UC", "VOY-4320-UC"]),
    ("SP-BATT-SAVI", "Spare battery (Savi 8200/7300)", "39.00", ["SAVI-8220-O", "SAVI-7320-O"]),
    ("SP-HANDSET-CCX", "Handset with cord (CCX)", "45.00", ["CCX-400", "CCX-500", "CCX-600"]),
    ("SP-PSU-CCX", "Power supply (CCX)", "29.00", ["CCX-400", "CCX-500", "CCX-600"]),
    ("SP-MIC-TRIO", "Expansion microphones (Trio)", "299.00", ["TRIO-8800", "TRIO-C60"]),
    (
        "SP-REMOTE-STUDIO",
        "Bluetooth remote (Studio X)",
        "79.00",
        ["STUDIO-X30", "STUDIO-X50", "STUDIO-X52"],
    ),
    (
        "SP-WALLMOUNT-STUDIO",
        "Wall mount kit (Studio X)",
        "129.00",
        ["STUDIO-X30", "STUDIO-X50", "STUDIO-X52"],
    ),
    ("SP-TC8", "TC8 touch controller", "699.00", ["G7500", "STUDIO-X50", "STUDIO-X52"]),
    ("SP-BATT-ROVE", "Battery (Rove handsets)", "25.00", ["ROVE-30", "ROVE-40"]),
]


def _lifecycle(kind: str | None, today: date) -> dict[str, date | None]:
    if kind is None:
        return {}
    if kind == "eos_announced":
        return {
            "end_of_sale_announced_on": today - timedelta(days=60),
            "end_of_sale_effective_on": today + timedelta(days=120),
            "end_of_support_on": today + timedelta(days=5 * 365),
        }
    if kind == "eos":
        return {
            "end_of_sale_announced_on": today - timedelta(days=540),
            "end_of_sale_effective_on": today - timedelta(days=365),
            "end_of_support_on": today + timedelta(days=3 * 365),
        }
    return {  # eosup
        "end_of_sale_announced_on": today - timedelta(days=6 * 365),
        "end_of_sale_effective_on": today - timedelta(days=5 * 365),
        "end_of_support_on": today - timedelta(days=90),
    }


def _firmware(sku: str, family: str, today: date) -> list[tuple[str, date, str]]:
    base = {
        "CCX": "8.1",
        "VVX": "6.4",
        "Trio": "8.1",
        "Studio": "4.2",
        "G7500": "4.2",
        "Voyager": "3.1",
        "Savi": "10.2",
        "Blackwire": "2.5",
        "EncorePro": "1.4",
        "Rove": "8.0",
        "EagleEye": "2.1",
    }.get(family)
    if base is None:
        return []
    major, minor = base.split(".")
    return [
        (f"{major}.{int(minor) - 1}.0", today - timedelta(days=400), "Maintenance release."),
        (
            f"{major}.{minor}.0",
            today - timedelta(days=150),
            "Feature release: security fixes and stability improvements.",
        ),
        (
            f"{major}.{minor}.2",
            today - timedelta(days=30),
            "Fixes audio dropouts in some conditions; updated certificates.",
        ),
    ]


def load(ctx: Any, out: Any = None) -> None:
    from fleetcare.catalog.models import (
        Category,
        DocumentKind,
        FirmwareRelease,
        ProductDocument,
        ProductModel,
        SparePart,
    )

    today = ctx.today
    cats = {}
    for code, name, quote_only in CATEGORIES:
        cats[code], _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "quote_only": quote_only}
        )
    for sku, name, family, cat, lst, pe, daas, life in MODELS:
        model, created = ProductModel.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "family": family,
                "category": cats[cat],
                "currency": "USD",
                "list_price": Decimal(lst),
                "pe_yearly_price": Decimal(pe) if pe else None,
                "daas_monthly_price": Decimal(daas) if daas else None,
                "description": f"{name}, {family} family.",
                **_lifecycle(life, today),
            },
        )
        if not created:
            continue
        for version, released, notes in _firmware(sku, family, today):
            FirmwareRelease.objects.create(
                product_model=model,
                version=version,
                released_on=released,
                notes=notes,
                download_url=f"https://downloads.example.invalid/{sku.lower()}/{version}.bin",
            )
        ProductDocument.objects.create(
            product_model=model,
            kind=DocumentKind.DATASHEET,
            title=f"{name} data sheet",
            url=f"https://docs.example.invalid/{sku.lower()}/datasheet.pdf",
        )
        ProductDocument.objects.create(
            product_model=model,
            kind=DocumentKind.USER_GUIDE,
            title=f"{name} user guide",
            url=f"https://docs.example.invalid/{sku.lower()}/user-guide.pdf",
        )
    for number, name, price, skus in SPARE_PARTS:
        part, created = SparePart.objects.get_or_create(
            part_number=number,
            defaults={"name": name, "list_price": Decimal(price), "currency": "USD"},
        )
        if created:
            part.compatible_models.set(ProductModel.objects.filter(sku__in=skus))
