from ninja import Router, Schema
from pydantic import Field

router = Router(tags=["me"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    country: str
    account_number: str | None


class MeOut(Schema):
    id: int
    username: str
    email: str
    full_name: str
    role: str
    role_label: str
    language: str
    time_zone: str = Field(description="The zone set by the user; blank = the main site's")
    effective_time_zone: str = Field(description="The zone times are shown in")
    organisation: OrganisationOut | None


class MeIn(Schema):
    language: str | None = Field(None, max_length=8)
    time_zone: str | None = Field(
        None, max_length=64, description="IANA zone, e.g. Europe/Paris; blank = the main site's"
    )


def _out(user):
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "full_name": user.get_full_name(),
        "role": user.role,
        "role_label": str(user.get_role_display()) if user.role else "",
        "language": user.language,
        "time_zone": user.time_zone,
        "effective_time_zone": user.effective_time_zone,
        "organisation": user.organisation,
    }


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request):
    return _out(request.user)


@router.patch("/me", response=MeOut, summary="Change your own language or time zone")
def change_me(request, payload: MeIn):
    from fleetcare.organisations.services import change_own_settings

    changes = payload.dict(exclude_unset=True)
    changes = {k: v or "" for k, v in changes.items()}
    return _out(change_own_settings(request.user, actor=request.user, **changes))
