"""Start the replacement_order reference series from the highest RMA- reference in use."""

from django.db import migrations

CODE = "replacement_order"
PREFIX = "RMA-"


def start_series(apps, schema_editor):
    Model = apps.get_model("replacements", "ReplacementOrder")
    ReferenceSeries = apps.get_model("core", "ReferenceSeries")
    highest = 0
    for ref in Model.objects.filter(reference__startswith=PREFIX).values_list(
        "reference", flat=True
    ).iterator():
        digits = ref[len(PREFIX) :]
        if digits.isdigit():
            highest = max(highest, int(digits))
    series, _ = ReferenceSeries.objects.get_or_create(code=CODE)
    if series.last_value < highest:
        series.last_value = highest
        series.save(update_fields=["last_value"])


def forget_series(apps, schema_editor):
    apps.get_model("core", "ReferenceSeries").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("replacements", "0002_service_centre_code"),
        ("core", "0003_reference_series"),
    ]

    operations = [migrations.RunPython(start_series, forget_series)]
