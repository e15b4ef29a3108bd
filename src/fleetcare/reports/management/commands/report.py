"""``fleetcare report monthly --month YYYY-MM [--account ID] [--format table|csv|json]``."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fleetcare.organisations.models import OrganisationKind, User
from fleetcare.reports import services


class Command(BaseCommand):
    help = "Reports. `report monthly --month 2026-06` prints the CSM's monthly fleet report."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["monthly"])
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--account", type=int, default=None)
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--user", default=None, help="Run as this user (default a vendor admin)"
        )

    def handle(self, *args, **opts):
        try:
            month = services.parse_month(opts["month"])
        except ValidationError as exc:
            raise CommandError("--month: give YYYY-MM, e.g. 2026-06") from exc
        user = (
            User.objects.filter(username=opts["user"]).first()
            if opts["user"]
            else User.objects.filter(organisation__kind=OrganisationKind.VENDOR, is_active=True)
            .order_by("-is_superuser", "id")
            .first()
        )
        if user is None:
            raise CommandError("No user to run the report as: pass --user.")
        report = services.monthly_report(user=user, month=month, account_id=opts["account"])
        fmt = opts["format"]
        if fmt == "csv":
            self.stdout.write(services.report_csv(report), ending="")
        elif fmt == "json":
            self.stdout.write(json.dumps(services.report_json(report), indent=2, default=str))
        else:
            head = ["account", "category", "count", "ordered", "baseline", "increase %", "status"]
            rows = [
                [
                    r.account_name,
                    r.category,
                    str(r.count),
                    "" if r.ordered is None else str(r.ordered),
                    "" if r.baseline is None else f"{r.baseline:.2f} ({r.baseline_shown})",
                    "" if r.increase_pct is None else f"{r.increase_pct}",
                    r.status,
                ]
                for r in report.rows
            ]
            widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=False)]
            self.stdout.write(f"Monthly fleet report {month:%Y-%m} (at {report.month_end})")
            for line in [head, *rows]:
                self.stdout.write("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
            for n in report.not_counted:
                self.stdout.write(
                    f"not counted: {n.account_name}: {n.name} ({n.sku}) × {n.count}: {n.reason}"
                )
