"""Money documents' titles and line texts as message codes with parameters (core.messages).

A document stores ``title_code`` and ``title_params``, a line ``text_code`` and
``text_params``; they are written when shown, in the reader's language (the PDF and
e-mail in the recipient's). ``Document.title`` and ``DocumentLine.description`` keep the
text as first written, in the recipient's language, for rows without a code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

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


# --- line texts: a document line stores one of these codes with its parameters --------


def _category(value: Any) -> str:
    from fleetcare.catalog.models import category_label

    return category_label(value)


def _count(value: Any) -> str:
    from fleetcare.core.currency import format_count

    return format_count(value or 0)


def _percent(value: Any) -> str:
    from fleetcare.core.currency import format_percent

    return format_percent(value or 0, places=2)


def _basis(value: Any) -> str:
    """A proration basis code as its label, lower case ("monthly" → "mensuelle")."""
    from fleetcare.contracts.models import PRORATION_BASIS_CHOICES

    return str(dict(PRORATION_BASIS_CHOICES).get(value, value)).lower()


NOTE_RETURN_CANCELS_CHARGE = define(
    "billing.note.return_cancels_charge",
    _("A return before this charge is invoiced cancels it."),
)

LINE_PE_INSTALLED = define(
    "billing.line.pe_installed",
    _("%(category)s: installed devices, %(start)s – %(end)s"),
    category=_category,
)
LINE_PE_GROWTH = define(
    "billing.line.pe_growth",
    _("%(category)s: agreed growth, share billed upfront %(share)s"),
    category=_category,
    share=_percent,
)
LINE_PE_ADJUSTMENT = define(
    "billing.line.pe_adjustment",
    _(
        "%(category)s: %(added)s devices added (%(count)s counted on %(counted_on)s, "
        "ordered %(ordered)s), billed %(start)s – %(end)s (%(basis)s proration)"
    ),
    category=_category,
    added=_count,
    count=_count,
    ordered=_count,
    basis=_basis,
)
LINE_OPTION_CSM = define(
    "billing.line.option_csm",
    _("Extra CSM blocks (8 hours a month each), %(start)s – %(end)s"),
)
LINE_OPTION_TAM = define(
    "billing.line.option_tam", _("Technical account management, %(start)s – %(end)s")
)
LINE_OPTION_DESTRUCTION = define(
    "billing.line.option_destruction",
    _("On-site destruction of replaced units, %(start)s – %(end)s"),
)
# ``description`` is what billing typed (shown as typed).
LINE_PROFESSIONAL_SERVICES = define(
    "billing.line.professional_services",
    _("%(description)s (contract discount %(discount)s)"),
    discount=_percent,
)
LINE_UNRETURNED_UNIT = define(
    "billing.line.unreturned_unit",
    _("%(model)s: defective unit of %(reference)s not returned (due %(due)s)"),
)
LINE_OVER_THRESHOLD = define(
    "billing.line.over_threshold",
    _("%(model)s: replacement %(reference)s above the yearly threshold (%(rate)s)"),
    rate=_percent,
)
LINE_DAAS_FULL_MONTH = define(
    "billing.line.daas_full_month",
    ngettext_lazy(
        "%(customer)s · %(model)s: %(n)s device, full month",
        "%(customer)s · %(model)s: %(n)s devices, full month",
        "n",
    ),
    number="n",
)
LINE_DAAS_PART_MONTH = define(
    "billing.line.daas_part_month",
    ngettext_lazy(
        "%(customer)s · %(model)s: %(n)s device, %(active)s of %(days)s days",
        "%(customer)s · %(model)s: %(n)s devices, %(active)s of %(days)s days",
        "n",
    ),
    number="n",
)
