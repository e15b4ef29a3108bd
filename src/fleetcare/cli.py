"""The ``fleetcare`` command: Django's management with fleetcare's settings preset."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleetcare.config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "fleetcare"
    # Friendlier spellings for fleetcare's own commands.
    aliases = {"create-token": "create_token", "import-fleet": "import_fleet"}
    if len(argv) > 1 and argv[1] in aliases:
        argv[1] = aliases[argv[1]]
    if len(argv) > 1 and argv[1] == "serve":
        # The production server: DEBUG off, hashed and compressed static files. Both
        # must be known before the settings load.
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("FLEETCARE_STATIC_MANIFEST", "1")
    execute_from_command_line(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
