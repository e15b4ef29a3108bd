from io import StringIO

from django.conf import settings
from django.core.management.base import BaseCommand

from fleetcare.core.demo import DEMO_PASSWORD, load_all


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it twice changes nothing) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")
        parser.add_argument(
            "--url",
            help="Where the portal will be served, for the closing line "
            "(default: FLEETCARE_BASE_URL).",
        )

    def handle(self, *args, quiet=False, url=None, **options):
        ctx = load_all(out=StringIO() if quiet else self.stdout)
        if quiet:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded. Demo logins (password for all: {DEMO_PASSWORD}):"
            )
        )
        width = max(len(u) for u in ctx.users)
        for username, user in ctx.users.items():
            org = user.organisation.name if user.organisation else ""
            self.stdout.write(f"  {username:<{width}}  {user.get_role_display():<32} {org}")
        base = (url or settings.FLEETCARE_BASE_URL).rstrip("/")
        self.stdout.write(
            f"Portal: {base}/  API docs: {base}/api/v1/docs  Admin: {base}/admin/ (user admin)"
        )
