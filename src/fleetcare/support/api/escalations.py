"""Escalation endpoints (R-SUP-3)."""

from ninja import Status
from ninja.pagination import paginate

from fleetcare.api.errors import ProblemError
from fleetcare.api.pagination import PageNumber
from fleetcare.support import services
from fleetcare.support.api.base import _agent_user, _case, router
from fleetcare.support.api.schemas import (
    EngineeringRefIn,
    EngineeringRefOut,
    EscalateIn,
    EscalationOut,
    EscalationUpdateIn,
)
from fleetcare.support.models import (
    Escalation,
)


@router.get("/escalations", response=list[EscalationOut], summary="Open escalations")
@paginate(PageNumber)
def list_escalations(request, mine: bool = False):
    qs = Escalation.objects.visible_to(request.user).filter(status="open")
    if mine:
        qs = qs.filter(owner=request.user)
    return qs.order_by("-level", "escalated_at", "id")


@router.post("/{case_id}/escalations", response={201: EscalationOut}, summary="Escalate (R-SUP-3)")
def escalate(request, case_id: int, payload: EscalateIn):
    case = _case(request, case_id)
    return Status(
        201,
        services.escalate(
            case,
            actor=request.user,
            level=payload.level,
            reason=payload.reason,
            owner=_agent_user(request, payload.owner_id),
        ),
    )


@router.patch(
    "/{case_id}/escalation",
    response=EscalationOut,
    summary="Escalation manager: owner, specialist, actions, workaround, fix",
)
def update_escalation(request, case_id: int, payload: EscalationUpdateIn):
    case = _case(request, case_id)
    esc = Escalation.objects.visible_to(request.user).filter(case=case, status="open").first()
    if esc is None:
        raise ProblemError(409, "The case is not escalated.")
    return services.update_escalation(
        esc,
        actor=request.user,
        owner=_agent_user(request, payload.owner_id),
        specialist=payload.specialist,
        actions=payload.actions,
        workaround=payload.workaround,
        fix=payload.fix,
    )


@router.post("/{case_id}/deescalate", response=EscalationOut)
def deescalate(request, case_id: int):
    case = _case(request, case_id)
    return services.deescalate(case, actor=request.user)


@router.post("/{case_id}/engineering-references", response={201: EngineeringRefOut})
def add_engineering_reference(request, case_id: int, payload: EngineeringRefIn):
    case = _case(request, case_id)
    return Status(
        201,
        services.add_engineering_reference(
            case,
            actor=request.user,
            kind=payload.kind,
            reference=payload.reference,
            title=payload.title,
        ),
    )


@router.get("/{case_id}/engineering-references", response=list[EngineeringRefOut])
def list_engineering_references(request, case_id: int):
    case = _case(request, case_id)
    return list(case.engineering_refs.all())
