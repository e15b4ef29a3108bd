"""Poly+ Enterprise use cases (R-PE-1..8): propose, create, adjust, renew.

Every figure comes from :mod:`fleetcare.rules.enterprise` with the programme's
settings (:func:`fleetcare.rules.programmes.load_programme`)."""

from fleetcare.contracts.services.adjustments import (  # noqa: F401
    OUT_OF_ORDER,
    _locked,
    _refuse,
    apply_adjustment,
    cancel_adjustment,
    detect_adjustments,
    open_adjustment,
    quote_adjustment,
    record_purchase_order,
)
from fleetcare.contracts.services.common import (  # noqa: F401
    CONTRACT_ROLES,
    FORECAST_HORIZON_MONTHS,
    HISTORY_MONTHS,
    PO_ROLES,
    band_of,
    basis_of,
    default_end,
    programme_of,
    require_csm,
)
from fleetcare.contracts.services.creation import (  # noqa: F401
    CategoryInput,
    _issue_upfront_order,
    _reference,
    _upfront_lines,
    _validate_categories,
    create_contract,
    in_force_figures,
)
from fleetcare.contracts.services.proposal import (  # noqa: F401
    CategoryProposal,
    Proposal,
    forecast_explanation,
    propose_contract,
    unit_prices,
)
from fleetcare.contracts.services.renewal import (  # noqa: F401
    RenewalLine,
    accept_renewal,
    create_renewal_quote,
    propose_renewal,
)
