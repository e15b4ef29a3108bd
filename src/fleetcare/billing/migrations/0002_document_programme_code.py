"""R-PRG-1: a document stores its programme's code ("pe"/"daas" named the two founding
programmes: they become the codes of the default programme of each kind)."""

from django.db import migrations, models

from fleetcare.rules.programmes import default_programme

OLD_TO_KIND = {"pe": "account_wide", "daas": "per_device"}


def forward(apps, schema_editor):
    Model = apps.get_model("billing", "Document")
    for old, kind in OLD_TO_KIND.items():
        if Model.objects.filter(programme=old).exists():
            Model.objects.filter(programme=old).update(programme=default_programme(kind).code)


def backward(apps, schema_editor):
    Model = apps.get_model("billing", "Document")
    for old, kind in OLD_TO_KIND.items():
        Model.objects.filter(programme=default_programme(kind).code).update(programme=old)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="document",
            name="programme",
            field=models.CharField(blank=True, max_length=64, verbose_name="programme"),
        ),
        migrations.RunPython(forward, backward),
    ]
