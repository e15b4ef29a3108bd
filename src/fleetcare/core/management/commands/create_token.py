from django.core.management.base import BaseCommand, CommandError

from fleetcare.organisations import services
from fleetcare.organisations.models import ApiToken, User


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it once (only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="A label for the token.")
        parser.add_argument(
            "--read-only", action="store_true", help="The token may only read (GET)."
        )
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="Lifetime in days (default: API_TOKEN_DEFAULT_DAYS; 0: never expires).",
        )

    def handle(self, *args, username, name, read_only, expires_in_days, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        if expires_in_days is not None and expires_in_days < 0:
            raise CommandError("--expires-in-days must be 0 (never) or more.")
        lifetime = {} if expires_in_days is None else {"expires_in_days": expires_in_days or None}
        scope = ApiToken.TokenScope.READ_ONLY if read_only else ApiToken.TokenScope.READ_WRITE
        _, raw = services.issue_token(user, name=name, scope=scope, **lifetime)
        self.stdout.write(raw)
