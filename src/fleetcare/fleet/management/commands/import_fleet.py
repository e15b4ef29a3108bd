"""``fleetcare import-fleet --account ID FILE [--as-of DATE] [--mode full|add]
[--confirm-retire]`` (R-FLT-2, R-FLT-4).

``--mode full`` (the default, a full inventory): the account's devices absent from the
file are retired; retiring more than FLEET_IMPORT_RETIRE_WARN_SHARE of its active
devices needs ``--confirm-retire``. ``--mode add`` (add or update): nothing is retired.

Without ``--account`` the file must carry an ``account`` column (main account
identifier) and each account gets its own snapshot.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fleetcare.fleet import importing, services
from fleetcare.fleet.importing.messages import reason_text
from fleetcare.fleet.models import ImportMode
from fleetcare.organisations.models import Organisation, OrganisationKind, Role, User


class Command(BaseCommand):
    help = "Import a fleet inventory file (CSV or XLSX): all or nothing, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--account", help="Account id or main account identifier")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="Inventory date YYYY-MM-DD (default today)",
        )
        parser.add_argument(
            "--user", default=None, help="Acting user (default: first vendor admin)"
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--mode",
            choices=[m.value for m in ImportMode],
            default=ImportMode.FULL.value,
            help="full: a full inventory (devices absent from the file are retired); "
            "add: add or update (nothing retired)",
        )
        parser.add_argument(
            "--confirm-retire",
            action="store_true",
            help="confirm a full inventory that retires more than the warning share",
        )

    def handle(self, *args, **opts):
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        account = None
        if opts["account"]:
            key = opts["account"]
            qs = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER)
            account = (qs.filter(pk=int(key)).first() if key.isdigit() else None) or qs.filter(
                account_number__iexact=key
            ).first()
            if account is None:
                raise CommandError(f"--account {key}: no such customer account")
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
        else:
            user = (
                User.objects.filter(
                    organisation__kind=OrganisationKind.VENDOR,
                    role=Role.VENDOR_ADMIN,
                    is_active=True,
                )
                .order_by("id")
                .first()
                or User.objects.filter(is_superuser=True).first()
            )
        if user is None:
            raise CommandError("No acting user: pass --user USERNAME.")
        total = importing.count_data_rows(path, path.name)
        bar = None
        if not opts["no_progress"] and total > 1000:
            from tqdm import tqdm

            bar = tqdm(total=total * 2, unit="row", desc="check + write", file=self.stderr._out)

        def tick(n: int) -> None:
            if bar is not None:
                bar.update(n - tick.last if n >= tick.last else n)
                tick.last = n

        tick.last = 0
        try:
            outcome = services.import_file(
                actor=user,
                account=account,
                path=path,
                file_name=path.name,
                as_of=opts["as_of"],
                background=False,
                keep_file=True,
                progress=tick if bar is not None else None,
                mode=opts["mode"],
                confirm_retire=opts["confirm_retire"],
            )
        except services.RetireNotConfirmed as exc:
            raise CommandError(
                f"This full inventory would retire {exc.retired} of {exc.active} active devices "
                f"(more than {exc.share_percent} %): nothing was saved. Pass --confirm-retire, "
                "or --mode add to add or update only."
            ) from exc
        except importing.ImportRejected as exc:
            if bar is not None:
                bar.close()
            self.stderr.write(exc.detail)
            for e in exc.errors:
                self.stderr.write(
                    f"  row {e['row']}, {e['column'] or '-'}: {reason_text(e)} {e['value']}"
                )
            if exc.total > len(exc.errors):
                self.stderr.write(f"  … and {exc.total - len(exc.errors)} more")
            raise CommandError("Import refused; nothing was saved.") from exc
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        if outcome.duplicate:
            self.stdout.write("Same file already imported: nothing changed.")
        for s in outcome.snapshots:
            self.stdout.write(
                f"snapshot {s.pk}: account {s.account_id} as of {s.as_of}: {s.device_count} devices "
                f"({s.created_devices} new, {s.updated_devices} updated, "
                f"{s.retired_devices} retired; {s.get_mode_display()})"
            )
