"""A child process for the concurrency test: no Django import before django.setup()."""

import os


def issue_worker(db_url, ids, start, results):  # pragma: no cover - runs in a child process
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleetcare.config.settings")
    import django

    django.setup()
    from fleetcare.billing.models import Document
    from fleetcare.billing.services import issue_document

    try:
        start.wait(30)
        results.put([issue_document(Document.objects.get(pk=pk)).number for pk in ids])
    except Exception as exc:  # report instead of hanging the parent
        results.put([f"ERROR {exc!r}"])
        raise
