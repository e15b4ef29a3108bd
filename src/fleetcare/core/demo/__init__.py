"""Demo data: the foundation (organisations, people, catalogue) and each app's own.

``fleetcare demo`` calls :func:`load_all`. Each app may have a ``demo.py`` with
``load(ctx: DemoContext, out) -> None``; they run in ``APP_ORDER``. Every loader is
idempotent: running the demo twice changes nothing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

DEMO_PASSWORD = "fleetcare-demo"
APP_ORDER = [
    "fleet",
    "contracts",
    "daas",
    "support",
    "replacements",
    "billing",
    "reports",
    "licences",
]


@dataclass
class DemoContext:
    today: date
    vendor: Any = None
    distributor: Any = None
    users: dict[str, Any] = field(default_factory=dict)  # by username
    customers: dict[str, Any] = field(default_factory=dict)  # acme, globex, initech
    partners: dict[str, Any] = field(default_factory=dict)  # maple, thames
    daas_customers: dict[str, Any] = field(default_factory=dict)  # northwind, contoso
    sites: dict[str, Any] = field(default_factory=dict)  # by site name


def load_all(out: Any = None, today: date | None = None) -> DemoContext:
    from django.test.utils import override_settings

    ctx = DemoContext(today=today or timezone.localdate())
    # The demo's own notifications (cases opened, replies…) are not sent anywhere.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        _load(ctx, out)
    return ctx


def _load(ctx: DemoContext, out: Any) -> None:
    from fleetcare.core.demo import catalogue, people

    with transaction.atomic():
        catalogue.load(ctx, out)
        people.load(ctx, out)
    for app in APP_ORDER:
        try:
            module = importlib.import_module(f"fleetcare.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"fleetcare.{app}.demo":
                raise
            continue
        with transaction.atomic():
            module.load(ctx, out)
