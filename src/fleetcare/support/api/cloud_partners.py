"""Cloud partners, signed authorisations and partner incidents (R-SUP-4)."""

from datetime import date

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Form, Query, Status
from ninja.files import UploadedFile

from fleetcare.api.errors import ProblemError
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.organisations.models import Organisation
from fleetcare.support import services
from fleetcare.support.api.base import _case, router
from fleetcare.support.api.schemas import (
    AuthorisationOut,
    CloudPartnerIn,
    CloudPartnerOut,
    CloudPartnerPatch,
    IncidentIn,
    IncidentOut,
    IncidentUpdateIn,
)
from fleetcare.support.models import (
    CloudPartner,
    CloudPartnerAuthorisation,
    PartnerIncident,
)


def _cloud_partner_out(partner: CloudPartner, vendor: bool, on_file=None) -> dict:  # type: ignore[no-untyped-def]
    out = {"id": partner.pk, "code": partner.code, "name": partner.name}
    if vendor:
        out.update(contact=partner.contact, escalation_procedure=partner.escalation_procedure)
    if on_file is not None:
        out.update(authorised=partner.pk in on_file, authorised_until=on_file.get(partner.pk))
    return out


@router.get(
    "/cloud-partners",
    response=list[CloudPartnerOut],
    summary="Cloud partners (R-SUP-4); customers see which they have authorised",
)
def list_cloud_partners(
    request,
    authorised: bool | None = Query(
        None,
        description="Customers: only the partners with (true) or without (false) an "
        "authorisation on file today",
    ),
):
    scope = scope_of(request.user)
    partners = list(CloudPartner.objects.visible_to(request.user).order_by("name", "id"))
    on_file = None
    if scope.is_customer:
        on_file = services.authorised_cloud_partner_ids(scope.organisation_id, timezone.localdate())
        if authorised is not None:
            partners = [p for p in partners if (p.pk in on_file) == authorised]
    elif authorised is not None:
        raise ProblemError(
            422, "The authorised filter is for customers: it reads their own authorisations."
        )
    return [_cloud_partner_out(p, scope.is_vendor, on_file) for p in partners]


@router.post(
    "/cloud-partners",
    response={201: CloudPartnerOut},
    summary="Add a cloud partner (support agents, escalation managers, vendor admins)",
)
def create_cloud_partner(request, payload: CloudPartnerIn):
    partner = services.create_cloud_partner(
        actor=request.user,
        name=payload.name,
        contact=payload.contact,
        escalation_procedure=payload.escalation_procedure,
        code=payload.code,
    )
    return Status(201, _cloud_partner_out(partner, vendor=True))


@router.patch(
    "/cloud-partners/{code}",
    response=CloudPartnerOut,
    summary="Edit a cloud partner's name, contact and escalation procedure notes",
)
def update_cloud_partner(request, code: str, payload: CloudPartnerPatch):
    services.require_cloud_partner_manager(request.user)  # refuse before any lookup
    partner = get_visible_or_404(CloudPartner, request.user, code=code)
    partner = services.update_cloud_partner(
        partner, actor=request.user, **payload.dict(exclude_unset=True)
    )
    return _cloud_partner_out(partner, vendor=True)


@router.get(
    "/authorisations",
    response=list[AuthorisationOut],
    summary="Cloud-partner authorisations on file (R-SUP-4)",
)
def list_authorisations(request, account_id: int | None = None):
    qs = CloudPartnerAuthorisation.objects.visible_to(request.user).select_related("cloud_partner")
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("account_id", "cloud_partner__name", "-valid_from")


@router.post(
    "/authorisations",
    response={201: AuthorisationOut},
    summary="Put a signed authorisation on file (multipart)",
)
def record_authorisation(
    request,
    account_id: Form[int],
    cloud_partner: Form[str],
    valid_from: Form[date],
    document: File[UploadedFile],
    valid_to: Form[date | None] = None,
    signed_by: Form[str] = "",
):
    account = get_visible_or_404(Organisation, request.user, pk=account_id)
    partner = get_visible_or_404(CloudPartner, request.user, code=cloud_partner)
    auth = services.record_authorisation(
        actor=request.user,
        account=account,
        cloud_partner=partner,
        document=document,
        valid_from=valid_from,
        valid_to=valid_to,
        signed_by=signed_by,
    )
    return Status(201, auth)


@router.get("/authorisations/{auth_id}/document", summary="Download the signed document")
def authorisation_document(request, auth_id: int):
    auth = get_visible_or_404(CloudPartnerAuthorisation, request.user, pk=auth_id)
    return FileResponse(
        auth.document.open("rb"), as_attachment=True, filename=auth.document_name or "authorisation"
    )


@router.post(
    "/{case_id}/partner-incidents",
    response={201: IncidentOut},
    summary="Open a cloud-partner incident (R-SUP-4; needs an authorisation)",
)
def open_incident(request, case_id: int, payload: IncidentIn):
    case = _case(request, case_id)
    partner = get_visible_or_404(CloudPartner, request.user, code=payload.cloud_partner)
    return Status(
        201,
        services.open_partner_incident(
            case,
            actor=request.user,
            cloud_partner=partner,
            partner_ticket=payload.partner_ticket,
            findings=payload.findings,
        ),
    )


@router.get("/{case_id}/partner-incidents", response=list[IncidentOut])
def list_incidents(request, case_id: int):
    case = _case(request, case_id)
    return list(
        PartnerIncident.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("cloud_partner")
    )


@router.post("/{case_id}/partner-incidents/{incident_id}/updates", response={201: IncidentOut})
def incident_update(request, case_id: int, incident_id: int, payload: IncidentUpdateIn):
    case = _case(request, case_id)
    incident = get_visible_or_404(PartnerIncident, request.user, pk=incident_id, case=case)
    services.update_partner_incident(
        incident,
        actor=request.user,
        kind=payload.kind,
        body=payload.body,
        partner_ticket=payload.partner_ticket,
        status=payload.status,
    )
    return Status(201, PartnerIncident.objects.select_related("cloud_partner").get(pk=incident.pk))
