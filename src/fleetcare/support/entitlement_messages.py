"""Why a support case is not entitled (R-SUP-1, R-CAT-2, R-CAT-3): the sentences.

A case stores a reason code and its parameters (``Case.entitlement_reason`` /
``entitlement_params``); the sentence is written when shown, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from fleetcare.fleet.coverage_messages import render
from fleetcare.rules.coverage import Reason

__all__ = ["NOT_ENTITLED", "NO_COVER", "explain_not_entitled"]

NO_COVER = "no_cover"

#: Why a case is not entitled (R-SUP-1), keyed by the code stored on the case; written
#: when shown, in the reader's language, from the parameters stored beside the code.
NOT_ENTITLED = {
    Reason.QUOTE_ONLY: gettext_lazy("%(category)s is quote-only: not covered by Poly+ Enterprise."),
    Reason.END_OF_SUPPORT: gettext_lazy("%(model)s is past its end of support (%(date)s)."),
    NO_COVER: gettext_lazy(
        "No Poly+ Enterprise contract or DaaS term covers this product today: "
        "paid support is offered."
    ),
}


def explain_not_entitled(reason: str, params: Mapping[str, Any] | None = None) -> str:
    """The sentence of a not-entitled reason code, in the active language ("" for none)."""
    template = NOT_ENTITLED.get(reason)
    return "" if template is None else render(template, params or {})
