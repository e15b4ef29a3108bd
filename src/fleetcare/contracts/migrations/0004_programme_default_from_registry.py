"""R-PRG-1: the programme default comes from the registry (the default of its kind)."""

import fleetcare.core.programmes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0003_adjustment_basis_choices"),
    ]

    operations = [
        migrations.AlterField(
            model_name="enterprisecontract",
            name="programme_code",
            field=models.CharField(
                default=fleetcare.core.programmes.default_account_wide_code,
                max_length=64,
                verbose_name="programme",
            ),
        ),
    ]
