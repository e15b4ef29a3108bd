"""R-PRG-1: the programme default comes from the registry; a subscription of a programme
sold by the vendor itself has no partner."""

import django.db.models.deletion
import fleetcare.core.programmes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("daas", "0004_reference_series"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscription",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="daas_subscriptions_sold",
                to="organisations.organisation",
                verbose_name="certified partner",
            ),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="programme_code",
            field=models.CharField(
                default=fleetcare.core.programmes.default_per_device_code,
                max_length=64,
                verbose_name="programme",
            ),
        ),
    ]
