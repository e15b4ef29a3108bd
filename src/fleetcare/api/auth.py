from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth


class BearerOrSession(HttpBearer):
    """`Authorization: Bearer <token>`; a signed-in portal session also works (CSRF-checked)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return super().__call__(request)
        return django_auth(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from fleetcare.organisations.models import ApiToken

        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user
