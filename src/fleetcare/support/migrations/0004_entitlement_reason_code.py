"""A case stores why it is not entitled as a reason code and its parameters, no longer as
a sentence in the language of whoever opened it; the sentence is written when shown.

Existing notes are read back (English or French, as written by ``support.entitlement``):
the kind of reason comes from the sentence, its parameters from the case's product model.
"""

from django.db import migrations, models

QUOTE_ONLY = ("is quote-only", "est sur devis uniquement")
END_OF_SUPPORT = ("end of support", "fin de support")


def notes_to_codes(apps, schema_editor):
    Case = apps.get_model("support", "Case")
    cases = Case.objects.filter(entitlement="none").select_related("product_model__category")
    for case in cases.iterator():
        note = case.entitlement_note or ""
        model = case.product_model
        if any(marker in note for marker in QUOTE_ONLY):
            reason, params = "quote_only", {"category": model.category.code}
        elif any(marker in note for marker in END_OF_SUPPORT) and model.end_of_support_on:
            reason = "end_of_support"
            params = {"model": model.name, "date": model.end_of_support_on.isoformat()}
        else:
            reason, params = "no_cover", {}
        Case.objects.filter(pk=case.pk).update(entitlement_reason=reason, entitlement_params=params)


ENGLISH = {
    "quote_only": "{category} is quote-only: not covered by Poly+ Enterprise.",
    "end_of_support": "{model} is past its end of support ({date}).",
    "no_cover": (
        "No Poly+ Enterprise contract or DaaS term covers this product today: "
        "paid support is offered."
    ),
}


def codes_to_notes(apps, schema_editor):
    Case = apps.get_model("support", "Case")
    for case in Case.objects.exclude(entitlement_reason="").iterator():
        template = ENGLISH.get(case.entitlement_reason, "")
        params = {"category": "", "model": "", "date": "", **(case.entitlement_params or {})}
        Case.objects.filter(pk=case.pk).update(entitlement_note=template.format(**params)[:300])


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0003_cloud_partner_contact"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="entitlement_reason",
            field=models.CharField(blank=True, max_length=32, verbose_name="entitlement reason"),
        ),
        migrations.AddField(
            model_name="case",
            name="entitlement_params",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="entitlement reason parameters"
            ),
        ),
        migrations.RunPython(notes_to_codes, codes_to_notes),
        migrations.RemoveField(
            model_name="case",
            name="entitlement_note",
        ),
    ]
