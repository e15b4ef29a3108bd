"""Support cases under /api/v1/cases (SPEC §6)."""

# Route order matters: fixed paths (/escalations, /cloud-partners, /authorisations) are
# registered before the cases module's /{case_id}, which would otherwise take them.
# isort: off
from fleetcare.support.api.base import (  # noqa: F401
    ROUTER_PREFIX,
    _agent_user,
    _case,
    _list_qs,
    _reload,
    router,
)
from fleetcare.support.api.schemas import (  # noqa: F401
    AssignIn,
    AttachmentOut,
    AuthorisationOut,
    CaseDetail,
    CaseIn,
    CaseOut,
    CaseReplacementOut,
    CaseReplacementsOut,
    CloudPartnerIn,
    CloudPartnerOut,
    CloudPartnerPatch,
    EngineeringRefIn,
    EngineeringRefOut,
    EscalateIn,
    EscalationOut,
    EscalationUpdateIn,
    EventOut,
    IncidentIn,
    IncidentOut,
    IncidentUpdateIn,
    QueueCaseOut,
    ReplyIn,
    SeverityIn,
    StatusIn,
)
from fleetcare.support.api.escalations import (  # noqa: F401
    add_engineering_reference,
    deescalate,
    escalate,
    list_engineering_references,
    list_escalations,
    update_escalation,
)
from fleetcare.support.api.cloud_partners import (  # noqa: F401
    _cloud_partner_out,
    authorisation_document,
    create_cloud_partner,
    incident_update,
    list_authorisations,
    list_cloud_partners,
    list_incidents,
    open_incident,
    record_authorisation,
    update_cloud_partner,
)
from fleetcare.support.api.cases import (  # noqa: F401
    assign,
    case_replacement_orders,
    download,
    get_case,
    get_timeline,
    list_attachments,
    list_cases,
    open_case,
    queue,
    reply,
    set_severity,
    set_status,
    upload,
)
# isort: on
