"""The API: django-ninja under /api/v1/.

Every app that has an ``api.py`` with a ``router`` is mounted at ``/api/v1/`` with
the router's own prefix (``ROUTER_PREFIX`` in the module, default the app label).
Errors are ``application/problem+json`` (RFC 9457) with a clear ``detail``.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from ninja import NinjaAPI

from fleetcare.api.auth import BearerOrSession
from fleetcare.api.errors import install_error_handlers


class FleetcareAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """``<app module>_api_<function>``: stable when an app's api module becomes a
        package (``fleetcare.support.api.cases.assign`` → ``fleetcare_support_api_assign``)."""
        module = operation.view_func.__module__
        head, sep, _ = module.partition(".api.")
        if sep:
            module = head + ".api"
        return (module + "_" + operation.view_func.__name__).replace(".", "_")


api = FleetcareAPI(
    title="fleetcare API",
    version="1",
    description=(
        "Poly+ Enterprise and Device-as-a-Service support programmes. Authenticate with "
        "`Authorization: Bearer <token>` (create a token on your portal profile page or with "
        "`fleetcare create-token USERNAME`). Errors are `application/problem+json`."
    ),
    auth=BearerOrSession(),
    urls_namespace="api",
)
install_error_handlers(api)

from fleetcare.api import me  # noqa: E402

api.add_router("", me.router)


def _mount_app_routers() -> None:
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        if not config.name.startswith("fleetcare.") or config.label in {"api"}:
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.api":
                continue
            raise
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "ROUTER_PREFIX", f"/{config.label}"), router)


_mount_app_routers()
