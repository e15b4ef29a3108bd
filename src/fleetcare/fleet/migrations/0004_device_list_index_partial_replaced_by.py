"""Device lists at a million devices: an (account, model, id) index in the lists' order
(it also serves account look-ups, so the account FK's own index goes), and on PostgreSQL
the ``replaced_by`` uniqueness as a partial index (no entry for the devices never
replaced, i.e. almost all of them). Django's state keeps the OneToOneField: it is still
unique; only the index holding that uniqueness is partial."""

import django.db.models.deletion
from django.db import migrations, models


def partial_replaced_by(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            """SELECT conname FROM pg_constraint
               WHERE conrelid = 'fleet_device'::regclass AND contype = 'u'
                 AND conkey = ARRAY[(SELECT attnum FROM pg_attribute
                     WHERE attrelid = 'fleet_device'::regclass
                       AND attname = 'replaced_by_id')]::smallint[]"""
        )
        for (name,) in cur.fetchall():
            cur.execute(f'ALTER TABLE fleet_device DROP CONSTRAINT "{name}"')
        cur.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS fleet_device_replaced_by_set "
            "ON fleet_device (replaced_by_id) WHERE replaced_by_id IS NOT NULL"
        )


def full_replaced_by(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute("DROP INDEX IF EXISTS fleet_device_replaced_by_set")
        cur.execute(
            "ALTER TABLE fleet_device ADD CONSTRAINT fleet_device_replaced_by_id_key "
            "UNIQUE (replaced_by_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("fleet", "0003_device_bulk_friendly"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="device",
            index=models.Index(
                fields=["account", "product_model", "id"], name="fleet_device_account_model"
            ),
        ),
        migrations.AlterField(
            model_name="device",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="devices",
                to="organisations.organisation",
                verbose_name="account",
            ),
        ),
        migrations.RunPython(partial_replaced_by, full_replaced_by),
    ]
