"""API tokens of the authenticated user: list, create (shown once), revoke."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema, Status

from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations import services
from fleetcare.organisations.models import ApiToken

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    scope: str = Field(..., description="read_write or read_only")
    created_at: datetime
    expires_at: datetime | None = Field(..., description="null: never expires")
    last_used_at: datetime | None = Field(..., description="Written at most once a minute")
    revoked_at: datetime | None
    active: bool


class TokenCreated(TokenOut):
    token: str = Field(..., description="The token itself: shown this once, never again")


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    scope: ApiToken.TokenScope = ApiToken.TokenScope.READ_WRITE
    expires_in_days: int | None = Field(
        90, ge=1, le=3650, description="Lifetime in days; null: the token never expires"
    )


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def list_tokens(request):
    return ApiToken.objects.visible_to(request.user)


@router.post("/tokens", response={201: TokenCreated}, summary="Create an API token")
def create_token(request, payload: TokenIn):
    token, raw = services.issue_token(
        request.user,
        name=payload.name,
        scope=payload.scope,
        expires_in_days=payload.expires_in_days,
    )
    token.token = raw
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="Revoke one of your tokens")
def revoke_token(request, token_id: int):
    token = get_visible_or_404(ApiToken, request.user, pk=token_id)
    return services.revoke_token(request.user, token)
