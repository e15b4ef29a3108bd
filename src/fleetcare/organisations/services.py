"""Organisations use cases: API tokens and the directory (organisations, sites, users,
partner–customer links). One function per use case, one transaction each, who-may-act
from :mod:`fleetcare.organisations.permissions`, every change in the change log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.models import log_change, snapshot

from .models import ApiToken, User

TOKEN_FIELDS = ["name", "key_prefix", "scope", "expires_at", "revoked_at"]


# API tokens ------------------------------------------------------------------------


@transaction.atomic
def issue_token(
    user: User,
    *,
    name: str,
    scope: str = ApiToken.TokenScope.READ_WRITE,
    expires_in_days: int | None = ...,  # type: ignore[assignment]
) -> tuple[ApiToken, str]:
    """A new token for ``user`` (it acts with the user's permissions, limited by scope).

    ``expires_in_days=None``: it never expires; left out: ``API_TOKEN_DEFAULT_DAYS``."""
    if expires_in_days is ...:
        expires_at: Any = ...
    elif expires_in_days is None:
        expires_at = None
    else:
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    token, raw = ApiToken.issue(user, name, scope=scope, expires_at=expires_at)
    log_change(token, "token.issued", user, after=snapshot(token, TOKEN_FIELDS))
    return token, raw


@transaction.atomic
def revoke_token(user: User, token: ApiToken) -> ApiToken:
    """Revoke one of ``user``'s own tokens (callers fetch it through ``visible_to``)."""
    if token.user_id != user.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("You may only revoke your own tokens."))
    before = snapshot(token, TOKEN_FIELDS)
    token.revoke()
    log_change(token, "token.revoked", user, before=before, after=snapshot(token, TOKEN_FIELDS))
    return token
