from django.core.management.base import BaseCommand, CommandError

from fleetcare.organisations.models import ApiToken, User


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it once (only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="A label for the token.")

    def handle(self, *args, username, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        _, raw = ApiToken.issue(user, name)
        self.stdout.write(raw)
