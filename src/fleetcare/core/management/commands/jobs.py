import json

from django.core.management.base import BaseCommand, CommandError

from fleetcare.core import jobs


class Command(BaseCommand):
    help = "Periodic jobs: `jobs run` runs every job once (idempotent); `jobs list` lists them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Run every periodic job once (or the named ones).")
        run.add_argument("names", nargs="*", help="Only these jobs.")
        sub.add_parser("list", help="List the periodic jobs.")

    def handle(self, *args, action, names=(), **options):
        if action == "list":
            for name in sorted(jobs.REGISTRY):
                self.stdout.write(name)
            return
        unknown = [n for n in names if n not in jobs.REGISTRY]
        if unknown:
            raise CommandError(
                f"Unknown job(s): {', '.join(unknown)}. Known: {', '.join(sorted(jobs.REGISTRY))}"
            )
        for name in names or sorted(jobs.REGISTRY):
            result = jobs.run_job(name)
            self.stdout.write(f"{name}: {json.dumps(result, default=str)}")
