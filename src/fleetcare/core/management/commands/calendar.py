"""``calendar``: business-day answers for service operations (R-CAL-1).

    fleetcare calendar next-business-day --country GB 2026-12-24
    fleetcare calendar add-business-days --country US 2026-12-28 10
    fleetcare calendar next-business-day --country DE --subdivision BY 2026-01-05

Prints only the ISO date. An unknown country or subdivision, or a malformed date,
exits non-zero with a one-line error naming the bad value.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fleetcare.rules.calendars import UnknownRegion, calendar_for


def _add_common(parser: CommandParser) -> None:
    parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. GB")
    parser.add_argument("--subdivision", default=None, help="ISO 3166-2 code, e.g. BY or DE-BY")
    parser.add_argument("date", help="ISO date, e.g. 2026-12-24")


class Command(BaseCommand):
    help = "Business-day arithmetic on a country's calendar (R-CAL-1)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        nbd = sub.add_parser("next-business-day", help="first business day strictly after DATE")
        _add_common(nbd)
        abd = sub.add_parser("add-business-days", help="N business days after DATE")
        _add_common(abd)
        abd.add_argument("n", help="number of business days")

    def handle(self, *args: Any, **options: Any) -> None:
        raw_date = options["date"]
        try:
            day = date.fromisoformat(raw_date)
        except (TypeError, ValueError):
            raise CommandError(f"invalid date: {raw_date!r} (expected YYYY-MM-DD)") from None
        try:
            cal = calendar_for(options["country"], options["subdivision"])
        except UnknownRegion as exc:
            raise CommandError(str(exc)) from None
        if options["action"] == "next-business-day":
            result = cal.next_business_day(day)
        else:
            raw_n = options["n"]
            try:
                n = int(raw_n)
            except (TypeError, ValueError):
                raise CommandError(f"invalid number of business days: {raw_n!r}") from None
            result = cal.add_business_days(day, n)
        self.stdout.write(result.isoformat())
