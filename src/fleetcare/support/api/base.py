"""The support router (mounted at /api/v1/cases) and the helpers every endpoint shares."""

from ninja import Router

from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import User
from fleetcare.support.models import (
    Case,
)

router = Router(tags=["support cases"])


ROUTER_PREFIX = "/cases"


def _case(request, case_id: int) -> Case:
    return get_visible_or_404(
        Case.objects.select_related("account", "requester", "product_model", "opened_by_partner"),
        request.user,
        pk=case_id,
    )


def _reload(request, case: Case) -> Case:
    return _case(request, case.pk)


def _agent_user(request, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return get_visible_or_404(User, request.user, pk=user_id)


def _list_qs(request):
    return Case.objects.visible_to(request.user).select_related(
        "account", "requester", "product_model", "opened_by_partner"
    )
