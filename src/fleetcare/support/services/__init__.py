"""Support use cases (docs/programmes.md §6). Each function is one transaction, checks who may do
it, records the change (timeline + change log) and recomputes the service-level
clock of the case (R-SUP-2)."""

from fleetcare.support.permissions import CLOUD_PARTNER_ROLES  # noqa: F401
from fleetcare.support.services.attachments import (  # noqa: F401
    _MAGIC,
    ALLOWED_EXTENSIONS,
    MAX_ATTACHMENT_BYTES,
    _store_attachment,
    add_attachments,
    sniff_content_type,
    validate_uploads,
    visible_attachment,
)
from fleetcare.support.services.cases import (  # noqa: F401
    OpenCaseInput,
    _entitlement_params,
    _next_reference,
    add_reply,
    assign,
    case_replacements,
    change_severity,
    change_status,
    open_case,
    queue_queryset,
    timeline,
)
from fleetcare.support.services.cloud_partners import (  # noqa: F401
    CLOUD_PARTNER_FIELDS,
    _clean_cloud_partner,
    authorisation_on_file,
    authorised_cloud_partner_ids,
    create_cloud_partner,
    may_manage_cloud_partners,
    open_partner_incident,
    record_authorisation,
    require_cloud_partner_manager,
    update_cloud_partner,
    update_partner_incident,
)
from fleetcare.support.services.common import (  # noqa: F401
    AGENT_ROLES,
    ESCALATION_ROLES,
    _customer_recipients,
    _event,
    _lock,
    _may_work_as_requester_side,
    _name,
    _refresh_clock,
    _require_agent,
    _require_escalation_manager,
    _set_status,
    _staff_recipients,
    _user_or_none,
    is_agent,
)
from fleetcare.support.services.escalations import (  # noqa: F401
    add_engineering_reference,
    deescalate,
    escalate,
    update_escalation,
)
from fleetcare.support.services.service_levels import (  # noqa: F401
    _milestone_deadlines,
    is_breached_now,
    mark_breaches,
)
