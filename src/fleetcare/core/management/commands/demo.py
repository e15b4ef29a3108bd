from io import StringIO

from django.core.management.base import BaseCommand

from fleetcare.core.demo import DEMO_PASSWORD, load_all


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it twice changes nothing) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, quiet=False, **options):
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
        self.stdout.write(
            "Portal: http://127.0.0.1:8000/  API docs: http://127.0.0.1:8000/api/v1/docs  Admin: /admin/ (user admin)"
        )
