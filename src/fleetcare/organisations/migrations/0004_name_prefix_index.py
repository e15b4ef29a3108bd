"""Organisation names found by prefix, any case (the portal's global search), on
PostgreSQL: an index on ``UPPER(name)`` with ``text_pattern_ops``, which
``name__istartswith`` (``UPPER(name::text) LIKE UPPER('x%')``) uses. Other databases
(SQLite in tests) need nothing."""

from django.db import migrations

INDEX = "organisations_org_name_upper_prefix"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON organisations_organisation "
            "(UPPER(name::text) text_pattern_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_organisation_csm_vendor_csms_only")]

    operations = [migrations.RunPython(forwards, backwards)]
