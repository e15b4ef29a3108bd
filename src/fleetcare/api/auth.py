"""API authentication: bearer tokens (scoped, expiring) or the portal's session.

* ``Authorization: Bearer <token>``: a live token (unrevoked, unexpired, active user).
  A read-only token may only read (GET, HEAD, OPTIONS): anything else is a 403.
* No ``Authorization`` header: the signed-in portal session, CSRF-checked for writes.
* Anything else (no session, another scheme, a dead token): 401 problem+json, whatever
  the method. An anonymous POST never reaches the CSRF check, so it is a 401, not a
  403 "CSRF check failed".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from fleetcare.api.errors import ProblemError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerOrSession(HttpBearer):
    """`Authorization: Bearer <token>`; a signed-in portal session also works (CSRF-checked)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            # Only a bearer token is accepted here; HttpBearer answers None (401) for
            # any other scheme.
            return super().__call__(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        writes = request.method not in SAFE_METHODS
        if writes and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                "CSRF check failed: a request from a portal session must send the "
                "X-CSRFToken header. Integrations authenticate with a bearer token.",
            )
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from fleetcare.organisations.models import ApiToken

        api_token = ApiToken.find(token)
        if api_token is None:
            return None
        if api_token.read_only and request.method not in SAFE_METHODS:
            raise ProblemError(
                403,
                "This API token is read-only: it may only read (GET). Create a read-write "
                "token on your profile page to make changes.",
                title="Forbidden",
            )
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user
