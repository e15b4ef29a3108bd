"""R-PRG-1: a case's entitlement is the programme kind, plus the programme's code.

The values stored before ("pe", "daas") named the two founding programmes; each case
now gets the code of the contract's or subscription's programme it was entitled by.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from fleetcare.rules.programmes import default_programme

OLD_TO_KIND = {"pe": "account_wide", "daas": "per_device"}


def forward(apps, schema_editor):
    Case = apps.get_model("support", "Case")
    Contract = apps.get_model("contracts", "EnterpriseContract")
    Subscribed = apps.get_model("daas", "SubscribedDevice")
    for old, kind in OLD_TO_KIND.items():
        qs = Case.objects.filter(entitlement=old)
        if not qs.exists():
            continue
        if kind == "account_wide":
            code = Contract.objects.filter(pk=OuterRef("enterprise_contract_id"))
            code = code.values("programme_code")[:1]
        else:
            code = Subscribed.objects.filter(pk=OuterRef("daas_device_id"))
            code = code.values("subscription__programme_code")[:1]
        qs.update(
            entitlement=kind,
            programme_code=Coalesce(Subquery(code), Value(default_programme(kind).code)),
        )


def backward(apps, schema_editor):
    Case = apps.get_model("support", "Case")
    for old, kind in OLD_TO_KIND.items():
        Case.objects.filter(entitlement=kind).update(entitlement=old)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0005_reference_series"),
        ("contracts", "0004_programme_default_from_registry"),
        ("daas", "0005_vendor_sold_subscriptions"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="programme_code",
            field=models.CharField(blank=True, max_length=64, verbose_name="programme"),
        ),
        migrations.AlterField(
            model_name="case",
            name="entitlement",
            field=models.CharField(
                choices=[
                    ("account_wide", "Account-wide contract"),
                    ("per_device", "Per-device term"),
                    ("none", "Not entitled"),
                ],
                default="none",
                max_length=16,
                verbose_name="entitlement",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
