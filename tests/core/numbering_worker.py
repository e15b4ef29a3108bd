"""A child process for the reference-series concurrency test: no Django import before
django.setup()."""

import os


def take_worker(db_url, code, n, start, results):  # pragma: no cover - runs in a child process
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleetcare.config.settings")
    import django

    django.setup()
    from django.db import transaction

    from fleetcare.core.numbering import next_reference

    try:
        start.wait(30)
        taken = []
        for _ in range(n):
            with transaction.atomic():
                taken.append(next_reference(code))
        results.put(taken)
    except Exception as exc:  # report instead of hanging the parent
        results.put([f"ERROR {exc!r}"])
        raise
