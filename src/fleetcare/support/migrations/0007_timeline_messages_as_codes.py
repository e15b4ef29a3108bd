"""Timeline events stop storing sentences (issue 14): the sentence of a system-written
event is written when shown, from its kind and data (support.timeline), in the reader's
language. Existing rows are converted where their parameters can be recovered; a row
that cannot keeps its text, which is shown as it was written."""

import re

from django.db import migrations

# "Workaround: …" / "Fix: …" replies written by an escalation update, in either language.
_LABELLED = re.compile(r"^(Workaround|Fix|Contournement|Correctif) ?: (.*)$")
_FIELD = {"Workaround": "workaround", "Contournement": "workaround", "Fix": "fix", "Correctif": "fix"}


def _labelled_reply(body):
    """{"workaround": …, "fix": …} when every line of ``body`` is such a label, else None."""
    found = {}
    for line in body.splitlines():
        match = _LABELLED.match(line.strip())
        if match is None:
            return None
        found[_FIELD[match.group(1)]] = match.group(2)
    return found or None


def forwards(apps, schema_editor):
    CaseEvent = apps.get_model("support", "CaseEvent")
    CloudPartner = apps.get_model("support", "CloudPartner")
    PartnerIncident = apps.get_model("support", "PartnerIncident")
    PartnerIncidentUpdate = apps.get_model("support", "PartnerIncidentUpdate")
    partner_names = dict(CloudPartner.objects.values_list("code", "name"))
    events = CaseEvent.objects.filter(
        kind__in=["entitlement", "escalation_update", "engineering_ref", "partner_incident", "reply"]
    ).exclude(body="")
    for ev in events.select_related(
        "case", "case__enterprise_contract", "case__daas_device__subscription"
    ).iterator():
        data = dict(ev.data or {})
        if ev.kind == "reply":
            # Only the replies an escalation update wrote (labelled lines, written at the
            # same moment as an escalation update); people's replies are left alone.
            fields = _labelled_reply(ev.body) if not data else None
            if fields is None or not CaseEvent.objects.filter(
                case_id=ev.case_id, kind="escalation_update", at=ev.at
            ).exists():
                continue
            data.update(fields)
        elif ev.kind == "entitlement":
            case = ev.case
            ref = ""
            if case.entitlement == "account_wide" and case.enterprise_contract_id:
                ref = case.enterprise_contract.reference
            elif case.entitlement == "per_device" and case.daas_device_id:
                ref = case.daas_device.subscription.reference
            data.update(
                entitlement=case.entitlement,
                programme=case.programme_code,
                ref=ref,
                until=case.entitled_until.isoformat() if case.entitled_until else None,
                reason=case.entitlement_reason,
                reason_params=case.entitlement_params,
            )
        elif ev.kind == "escalation_update":
            if not any(k in data for k in ("owner", "specialist", "actions", "workaround", "fix")):
                continue
        elif ev.kind == "engineering_ref":
            if not data.get("reference"):
                continue
        elif ev.kind == "partner_incident":
            if data.get("partner"):
                data.setdefault("partner_name", partner_names.get(data["partner"], ""))
            if data.get("update_kind"):
                update = (
                    PartnerIncidentUpdate.objects.filter(
                        incident_id=data.get("incident"), kind=data["update_kind"], at=ev.at
                    )
                    .order_by("id")
                    .first()
                )
                if update is None:
                    continue
                data["text"] = update.body
                incident = (
                    PartnerIncident.objects.filter(pk=data.get("incident"))
                    .select_related("cloud_partner")
                    .first()
                )
                if incident is None:
                    continue
                data["partner"] = incident.cloud_partner.code
                data["partner_name"] = incident.cloud_partner.name
            elif not data.get("partner"):
                continue
        ev.data = data
        ev.body = ""
        ev.save(update_fields=["data", "body"])


class Migration(migrations.Migration):
    dependencies = [("support", "0006_entitlement_by_kind")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
