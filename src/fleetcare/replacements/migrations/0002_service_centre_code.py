"""The order stores its service centre as a code; the name is shown translated."""

from django.db import migrations, models

NAMES = {
    "Service centre North America": "north_america",
    "Service centre EMEA": "emea",
    "Service centre International": "international",
}


def names_to_codes(apps, schema_editor):
    ReplacementOrder = apps.get_model("replacements", "ReplacementOrder")
    for name, code in NAMES.items():
        ReplacementOrder.objects.filter(service_centre=name).update(service_centre=code)


def codes_to_names(apps, schema_editor):
    ReplacementOrder = apps.get_model("replacements", "ReplacementOrder")
    for name, code in NAMES.items():
        ReplacementOrder.objects.filter(service_centre=code).update(service_centre=name)


class Migration(migrations.Migration):
    dependencies = [
        ("replacements", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(names_to_codes, codes_to_names),
        migrations.AlterField(
            model_name="replacementorder",
            name="service_centre",
            field=models.CharField(
                choices=[
                    ("north_america", "Service centre North America"),
                    ("emea", "Service centre EMEA"),
                    ("international", "Service centre International"),
                ],
                max_length=100,
                verbose_name="service centre",
            ),
        ),
    ]
