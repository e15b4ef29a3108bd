from ninja import Router, Schema

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
    organisation: OrganisationOut | None


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request):
    user = request.user
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "full_name": user.get_full_name(),
        "role": user.role,
        "role_label": str(user.get_role_display()) if user.role else "",
        "language": user.language,
        "organisation": user.organisation,
    }
