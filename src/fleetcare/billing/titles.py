"""Money documents' titles as message codes with parameters (core.messages).

A document stores ``title_code`` and ``title_params``; its title is written when shown,
in the reader's language (the PDF and e-mail in the recipient's). ``Document.title``
keeps the title as first written, in the recipient's language, for rows without a code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from fleetcare.core.messages import define


def _month(value: Any) -> str:
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return str(formats.date_format(day, "YEAR_MONTH_FORMAT"))


CREDIT_NOTE = define("billing.title.credit_note", _("Credit note for %(number)s"))
PE_RENEWAL = define(
    "billing.title.pe_renewal", _("Poly+ Enterprise renewal %(reference)s (%(start)s – %(end)s)")
)
PE_UPFRONT = define("billing.title.pe_upfront", _("Poly+ Enterprise %(reference)s: upfront order"))
PE_ADJUSTMENT = define(
    "billing.title.pe_adjustment",
    _("Poly+ Enterprise %(reference)s: adjustment %(month)s on behalf of %(account)s"),
    month=_month,
)
PAID_OPTIONS = define("billing.title.paid_options", _("Paid options — %(reference)s"))
PROFESSIONAL_SERVICES = define(
    "billing.title.professional_services", _("Professional services — %(reference)s")
)
UNRETURNED_UNIT = define("billing.title.unreturned_unit", _("Unreturned unit — %(reference)s"))
OVER_THRESHOLD = define(
    "billing.title.over_threshold", _("Over-threshold replacement — %(reference)s")
)
DAAS_MONTH = define("billing.title.daas_month", _("Device-as-a-Service — %(month)s"), month=_month)
