from django.db import migrations, models

import fleetcare.organisations.models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_organisation_csm_vendor_csms_only")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Times are shown in this zone. Blank: the zone of your organisation's "
                    "main site."
                ),
                max_length=64,
                validators=[fleetcare.organisations.models.validate_time_zone],
                verbose_name="time zone",
            ),
        ),
    ]
