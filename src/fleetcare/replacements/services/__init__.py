"""Advance replacement use cases (docs/programmes.md §7, R-RMA-1..6; R-DS-4/5 for DaaS).

Each transition is one service function: it refuses an out-of-order call with a
clear reason (``ValidationError``), checks who may do it, writes the order in one
transaction and logs the change. Dates come from :mod:`fleetcare.rules.replacement`
on the delivery site's business calendar; the charge from the same module."""

from fleetcare.replacements.services.charges import (  # noqa: F401
    _local_today,
    decide_threshold,
    mark_overdue_returns,
    on_document_issued,
    raise_unreturned_charge,
)
from fleetcare.replacements.services.common import (  # noqa: F401
    APPROVE_ROLES,
    FORBIDDEN,
    OPERATIONS_ROLES,
    OUT_OF_ORDER,
    REQUEST_ROLES,
    _locked,
    _next_reference,
    _or_list,
    _refuse,
    _require,
    extended_cover_replacements_in_year,
    programme_of,
    service_centre_for,
    site_calendar,
)
from fleetcare.replacements.services.logistics import (  # noqa: F401
    _swap_in_replacement,
    close,
    deliver,
    receive_return,
    record_destruction,
    ship,
)
from fleetcare.replacements.services.requests import (  # noqa: F401
    _apply_threshold,
    _rejection_reasons,
    approve,
    reject,
    request_replacement,
)
