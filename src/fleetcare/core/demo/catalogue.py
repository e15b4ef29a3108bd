"""The demo catalogue: realistic models across every category and quote-only class.

Prices are illustrative, one price list per currency (USD, EUR, GBP, CAD). Lifecycle dates are relative to the demo's "today" so
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

# sku, name, family, category, lifecycle
# lifecycle: None = current; "eos" = end of sale announced (and effective) in the past;
# "eos_announced" = announced, effective later; "eosup" = past end of support.
MODELS: list[tuple[str, str, str, str, str | None]] = [
    ("VOY-FOCUS2-UC", "Voyager Focus 2 UC", "Voyager", "personal", None),
    ("VOY-5200-UC", "Voyager 5200 UC", "Voyager", "personal", None),
    ("VOY-4320-UC", "Voyager 4320 UC", "Voyager", "personal", None),
    ("VOY-LEG-5200", "Voyager Legend 5200", "Voyager", "personal", "eosup"),
    ("SAVI-8220-O", "Savi 8220 Office", "Savi", "personal", None),
    ("SAVI-7320-O", "Savi 7320 Office", "Savi", "personal", None),
    ("SAVI-W740", "Savi W740", "Savi", "personal", "eos"),
    ("BW-8225-UC", "Blackwire 8225 UC", "Blackwire", "personal", None),
    ("BW-3320-USB", "Blackwire 3320 USB-A", "Blackwire", "personal", None),
    ("BW-C520", "Blackwire C520", "Blackwire", "personal", "eosup"),
    ("ENC-EP320", "EncorePro 320", "EncorePro", "personal", None),
    ("ENC-EP720", "EncorePro 720", "EncorePro", "personal", "eos_announced"),
    ("CCX-400", "CCX 400 Business Media Phone", "CCX", "voice", None),
    ("CCX-500", "CCX 500 Business Media Phone", "CCX", "voice", None),
    ("CCX-600", "CCX 600 Business Media Phone", "CCX", "voice", None),
    ("VVX-250", "VVX 250", "VVX", "voice", "eos"),
    ("VVX-450", "VVX 450", "VVX", "voice", "eos"),
    ("VVX-411", "VVX 411", "VVX", "voice", "eosup"),
    ("TRIO-8800", "Trio 8800", "Trio", "voice", None),
    ("TRIO-C60", "Trio C60", "Trio", "voice", None),
    ("TRIO-8500", "Trio 8500", "Trio", "voice", "eosup"),
    ("ROVE-30", "Rove 30 DECT Phone", "Rove", "voice", None),
    ("ROVE-40", "Rove 40 DECT Phone", "Rove", "voice", None),
    ("STUDIO-X30", "Studio X30", "Studio", "video", None),
    ("STUDIO-X50", "Studio X50", "Studio", "video", None),
    ("STUDIO-X52", "Studio X52", "Studio", "video", None),
    ("STUDIO-USB", "Studio USB", "Studio", "video", "eos"),
    ("G7500", "G7500 Video Conferencing System", "G7500", "video", None),
    ("EAGLEEYE-IV", "EagleEye IV Camera", "EagleEye", "video", "eosup"),
    ("ITP-MEDIALIGN", "Poly Medialign", "Immersive Telepresence", "immersive_telepresence", None),
    (
        "ITP-RPX-218",
        "RealPresence Immersive Studio",
        "Immersive Telepresence",
        "immersive_telepresence",
        "eos",
    ),
    ("MEDIAENG-1000", "Poly MediaEng Engine", "MediaEng", "media_engine", None),
    ("TH-STATION", "Poly Telehealth Station", "Vertical solutions", "vertical_solution", None),
    ("EDUCART-2", "EduCart", "Vertical solutions", "vertical_solution", None),
    ("RPRM-SRV", "RealPresence Resource Manager", "Infrastructure", "infrastructure", None),
    ("RPAD-EDGE", "RealPresence Access Director Edge", "Infrastructure", "infrastructure", "eosup"),
]

# The price list of each currency the vendor sells in (R-CAT-1): list price, yearly P+E
# price per device, DaaS monthly price (None: not sold that way, e.g. quote-only models).
# Illustrative regional price points written as data: never derived from another currency.
PRICES: dict[str, dict[str, tuple[str, str | None, str | None]]] = {
    "VOY-FOCUS2-UC": {
        "USD": ("349.00", "18.00", "12.50"),
        "EUR": ("329.00", "17.00", "12.00"),
        "GBP": ("289.00", "15.00", "10.00"),
        "CAD": ("469.00", "24.00", "17.00"),
    },
    "VOY-5200-UC": {
        "USD": ("229.00", "14.00", "9.00"),
        "EUR": ("219.00", "13.00", "8.50"),
        "GBP": ("189.00", "11.00", "7.50"),
        "CAD": ("309.00", "19.00", "12.00"),
    },
    "VOY-4320-UC": {
        "USD": ("199.00", "12.00", "8.00"),
        "EUR": ("189.00", "11.00", "7.50"),
        "GBP": ("159.00", "10.00", "6.50"),
        "CAD": ("269.00", "16.00", "11.00"),
    },
    "VOY-LEG-5200": {
        "USD": ("179.00", "11.00", None),
        "EUR": ("169.00", "10.00", None),
        "GBP": ("149.00", "9.00", None),
        "CAD": ("239.00", "15.00", None),
    },
    "SAVI-8220-O": {
        "USD": ("389.00", "20.00", "13.50"),
        "EUR": ("369.00", "19.00", "13.00"),
        "GBP": ("319.00", "16.00", "11.00"),
        "CAD": ("529.00", "27.00", "18.50"),
    },
    "SAVI-7320-O": {
        "USD": ("299.00", "16.00", "11.00"),
        "EUR": ("279.00", "15.00", "10.50"),
        "GBP": ("249.00", "13.00", "9.00"),
        "CAD": ("409.00", "22.00", "15.00"),
    },
    "SAVI-W740": {
        "USD": ("329.00", "17.00", None),
        "EUR": ("309.00", "16.00", None),
        "GBP": ("269.00", "14.00", None),
        "CAD": ("449.00", "23.00", None),
    },
    "BW-8225-UC": {
        "USD": ("159.00", "9.00", "6.00"),
        "EUR": ("149.00", "9.00", "5.50"),
        "GBP": ("129.00", "7.00", "5.00"),
        "CAD": ("219.00", "12.00", "8.00"),
    },
    "BW-3320-USB": {
        "USD": ("59.00", "4.00", "2.50"),
        "EUR": ("56.00", "4.00", "2.50"),
        "GBP": ("48.00", "3.00", "2.00"),
        "CAD": ("80.00", "5.00", "3.50"),
    },
    "BW-C520": {
        "USD": ("79.00", "5.00", None),
        "EUR": ("75.00", "5.00", None),
        "GBP": ("65.00", "4.00", None),
        "CAD": ("109.00", "7.00", None),
    },
    "ENC-EP320": {
        "USD": ("119.00", "7.00", "4.50"),
        "EUR": ("109.00", "7.00", "4.50"),
        "GBP": ("98.00", "6.00", "3.50"),
        "CAD": ("159.00", "10.00", "6.00"),
    },
    "ENC-EP720": {
        "USD": ("169.00", "9.00", "6.50"),
        "EUR": ("159.00", "9.00", "6.00"),
        "GBP": ("139.00", "7.00", "5.50"),
        "CAD": ("229.00", "12.00", "9.00"),
    },
    "CCX-400": {
        "USD": ("299.00", "22.00", "14.00"),
        "EUR": ("279.00", "21.00", "13.50"),
        "GBP": ("249.00", "18.00", "11.50"),
        "CAD": ("409.00", "30.00", "19.00"),
    },
    "CCX-500": {
        "USD": ("399.00", "26.00", "17.00"),
        "EUR": ("379.00", "25.00", "16.00"),
        "GBP": ("329.00", "21.00", "14.00"),
        "CAD": ("539.00", "35.00", "23.00"),
    },
    "CCX-600": {
        "USD": ("549.00", "32.00", "21.00"),
        "EUR": ("519.00", "30.00", "20.00"),
        "GBP": ("449.00", "26.00", "17.00"),
        "CAD": ("749.00", "44.00", "28.50"),
    },
    "VVX-250": {
        "USD": ("199.00", "15.00", None),
        "EUR": ("189.00", "14.00", None),
        "GBP": ("159.00", "12.00", None),
        "CAD": ("269.00", "20.00", None),
    },
    "VVX-450": {
        "USD": ("299.00", "19.00", None),
        "EUR": ("279.00", "18.00", None),
        "GBP": ("249.00", "16.00", None),
        "CAD": ("409.00", "26.00", None),
    },
    "VVX-411": {
        "USD": ("279.00", "18.00", None),
        "EUR": ("269.00", "17.00", None),
        "GBP": ("229.00", "15.00", None),
        "CAD": ("379.00", "24.00", None),
    },
    "TRIO-8800": {
        "USD": ("1099.00", "60.00", "38.00"),
        "EUR": ("1039.00", "57.00", "36.00"),
        "GBP": ("899.00", "49.00", "31.00"),
        "CAD": ("1489.00", "82.00", "51.50"),
    },
    "TRIO-C60": {
        "USD": ("1299.00", "60.00", "42.00"),
        "EUR": ("1229.00", "57.00", "40.00"),
        "GBP": ("1069.00", "49.00", "34.50"),
        "CAD": ("1769.00", "82.00", "57.00"),
    },
    "TRIO-8500": {
        "USD": ("899.00", "55.00", None),
        "EUR": ("849.00", "52.00", None),
        "GBP": ("739.00", "45.00", None),
        "CAD": ("1219.00", "75.00", None),
    },
    "ROVE-30": {
        "USD": ("149.00", "10.00", "6.00"),
        "EUR": ("139.00", "10.00", "5.50"),
        "GBP": ("119.00", "8.00", "5.00"),
        "CAD": ("199.00", "14.00", "8.00"),
    },
    "ROVE-40": {
        "USD": ("199.00", "12.00", "7.50"),
        "EUR": ("189.00", "11.00", "7.00"),
        "GBP": ("159.00", "10.00", "6.00"),
        "CAD": ("269.00", "16.00", "10.00"),
    },
    "STUDIO-X30": {
        "USD": ("2199.00", "60.00", "75.00"),
        "EUR": ("2089.00", "57.00", "71.00"),
        "GBP": ("1799.00", "49.00", "61.50"),
        "CAD": ("2989.00", "82.00", "99.00"),
    },
    "STUDIO-X50": {
        "USD": ("3399.00", "60.00", "110.00"),
        "EUR": ("3229.00", "57.00", "99.00"),
        "GBP": ("2789.00", "49.00", "90.00"),
        "CAD": ("4619.00", "82.00", "149.00"),
    },
    "STUDIO-X52": {
        "USD": ("3999.00", "60.00", "125.00"),
        "EUR": ("3799.00", "57.00", "119.00"),
        "GBP": ("3279.00", "49.00", "99.00"),
        "CAD": ("5439.00", "82.00", "169.00"),
    },
    "STUDIO-USB": {
        "USD": ("899.00", "40.00", None),
        "EUR": ("849.00", "38.00", None),
        "GBP": ("739.00", "33.00", None),
        "CAD": ("1219.00", "54.00", None),
    },
    "G7500": {
        "USD": ("5999.00", "60.00", "180.00"),
        "EUR": ("5699.00", "57.00", "169.00"),
        "GBP": ("4919.00", "49.00", "149.00"),
        "CAD": ("8159.00", "82.00", "239.00"),
    },
    "EAGLEEYE-IV": {
        "USD": ("2499.00", "60.00", None),
        "EUR": ("2369.00", "57.00", None),
        "GBP": ("2049.00", "49.00", None),
        "CAD": ("3399.00", "82.00", None),
    },
    "ITP-MEDIALIGN": {
        "USD": ("59999.00", None, None),
        "EUR": ("56999.00", None, None),
        "GBP": ("49199.00", None, None),
        "CAD": ("81599.00", None, None),
    },
    "ITP-RPX-218": {
        "USD": ("149999.00", None, None),
        "EUR": ("142499.00", None, None),
        "GBP": ("122999.00", None, None),
        "CAD": ("203999.00", None, None),
    },
    "MEDIAENG-1000": {
        "USD": ("12999.00", None, None),
        "EUR": ("12349.00", None, None),
        "GBP": ("10659.00", None, None),
        "CAD": ("17679.00", None, None),
    },
    "TH-STATION": {
        "USD": ("8999.00", None, None),
        "EUR": ("8549.00", None, None),
        "GBP": ("7379.00", None, None),
        "CAD": ("12239.00", None, None),
    },
    "EDUCART-2": {
        "USD": ("7499.00", None, None),
        "EUR": ("7119.00", None, None),
        "GBP": ("6149.00", None, None),
        "CAD": ("10199.00", None, None),
    },
    "RPRM-SRV": {
        "USD": ("24999.00", None, None),
        "EUR": ("23749.00", None, None),
        "GBP": ("20499.00", None, None),
        "CAD": ("33999.00", None, None),
    },
    "RPAD-EDGE": {
        "USD": ("17999.00", None, None),
        "EUR": ("17099.00", None, None),
        "GBP": ("14759.00", None, None),
        "CAD": ("24479.00", None, None),
    },
}

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
        ProductPrice,
        SparePart,
    )

    today = ctx.today
    cats = {}
    for code, name, quote_only in CATEGORIES:
        cats[code], _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "quote_only": quote_only}
        )
    for sku, name, family, cat, life in MODELS:
        model, created = ProductModel.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "family": family,
                "category": cats[cat],
                "description": f"{name}, {family} family.",
                **_lifecycle(life, today),
            },
        )
        for currency, (lst, pe, daas) in PRICES[sku].items():
            ProductPrice.objects.get_or_create(
                product_model=model,
                currency=currency,
                defaults={
                    "list_price": Decimal(lst),
                    "pe_yearly_price": Decimal(pe) if pe else None,
                    "daas_monthly_price": Decimal(daas) if daas else None,
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
