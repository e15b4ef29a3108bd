"""Playwright's sync API runs an event loop; let Django's ORM work beside it."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
