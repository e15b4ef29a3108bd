"""Device lists and serial search at a million devices: the "last seen" order's index,
an exact/prefix serial index (``varchar_pattern_ops`` on PostgreSQL, so ``LIKE 'x%'``
uses it), and on PostgreSQL only a trigram GIN index for "contains" (extension
``pg_trgm``; where the database role may not create it, the search still works, without
that index). SQLite (tests) migrates without the PostgreSQL parts."""

from django.db import migrations, models

TRGM_INDEX = "fleet_device_serial_trgm"


def _trigram_index():
    from django.contrib.postgres.indexes import GinIndex

    return GinIndex(
        fields=["serial_number"],
        opclasses=["gin_trgm_ops"],
        condition=models.Q(serial_number__isnull=False),
        name=TRGM_INDEX,
    )


def add_trigram(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    from django.db import transaction

    try:
        with transaction.atomic(using=conn.alias):
            with conn.cursor() as cur:
                cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no right to create the extension: search works, unindexed
        return
    schema_editor.add_index(apps.get_model("fleet", "Device"), _trigram_index())


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_price_lists"),
        ("fleet", "0005_snapshot_heartbeat"),
        ("organisations", "0002_apitoken_scope_expiry"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="device",
            index=models.Index(
                fields=["account", "last_seen_on", "id"], name="fleet_device_account_seen"
            ),
        ),
        migrations.AddIndex(
            model_name="device",
            index=models.Index(
                condition=models.Q(("serial_number__isnull", False)),
                fields=["serial_number"],
                name="fleet_device_serial",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(add_trigram, drop_trigram),
    ]
