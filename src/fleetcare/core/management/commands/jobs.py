import json

from django.core.management.base import BaseCommand, CommandError

from fleetcare.core import jobs


class Command(BaseCommand):
    help = (
        "Periodic jobs: `jobs run` runs every job once (idempotent; a job already running "
        "elsewhere is skipped); `jobs list` lists them (`-v 2`: with their beat interval)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Run every periodic job once (or the named ones).")
        run.add_argument("names", nargs="*", help="Only these jobs.")
        sub.add_parser("list", help="List the periodic jobs.")

    def handle(self, *args, action, names=(), **options):
        if action == "list":
            for name in sorted(jobs.REGISTRY):
                line = f"{name}\tevery {jobs.every(name)} s" if options["verbosity"] > 1 else name
                self.stdout.write(line)
            return
        unknown = [n for n in names if n not in jobs.REGISTRY]
        if unknown:
            raise CommandError(
                f"Unknown job(s): {', '.join(unknown)}. Known: {', '.join(sorted(jobs.REGISTRY))}"
            )
        for name in names or sorted(jobs.REGISTRY):
            result = jobs.run_job(name)
            if result == jobs.SKIPPED:
                self.stdout.write(f"{name}: already running elsewhere, skipped")
            else:
                self.stdout.write(f"{name}: {json.dumps(result, default=str)}")
