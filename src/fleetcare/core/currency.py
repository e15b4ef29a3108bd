"""Currencies the vendor sells in (R-CAT-1, R-MON-1) and how amounts are written.

``supported_currencies()`` is the setting ``CURRENCIES``; a contract or subscription is
in one of them and each has its own price list (``catalog.ProductPrice``). Prices are
never converted: a missing price is a refusal (``MissingPrice``).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def supported_currencies() -> list[str]:
    return [c.upper() for c in getattr(settings, "CURRENCIES", ["USD", "EUR", "GBP", "CAD"])]


def currency_choices() -> list[tuple[str, str]]:
    return [(c, c) for c in supported_currencies()]


def validate_currency(value: str) -> None:
    """A model-field validator: one of the supported currencies."""
    if (value or "").upper() not in supported_currencies():
        raise ValidationError(
            _("%(currency)s is not a currency we sell in (one of %(currencies)s).")
            % {"currency": value or "—", "currencies": ", ".join(supported_currencies())},
            code="currency",
        )


def clean_currency(value: str | None, field: str = "currency") -> str:
    """``value`` upper-cased when supported; else a ValidationError on ``field``."""
    code = (value or "").strip().upper()
    try:
        validate_currency(code)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return code


def babel_locale(language: str | None = None) -> str:
    """The Babel locale for a Django language code (the active one by default)."""
    from django.utils import translation

    code = (language or translation.get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    return "en_US" if code == "en" else code


def format_money(
    amount: Decimal | int | str | None, currency: str, language: str | None = None
) -> str:
    """``14 548,45 €`` (fr), ``$14,548.45`` (en): an amount with its currency, written for
    the reader's language (the active one unless ``language`` is given). The one way
    pages, PDFs, e-mails and exports write money."""
    if amount is None or amount == "":
        return "—"
    return format_currency(
        Decimal(str(amount)), (currency or "").upper(), locale=babel_locale(language)
    )


def format_percent(
    value: Decimal | int | float | str, language: str | None = None, places: int | None = None
) -> str:
    """A tax rate or share as the reader writes it: ``19 %`` (fr), ``19%`` (en); with
    ``places``, rounded to at most that many decimals (``2.58%`` for 2.5806)."""
    if places is not None:
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    return _percent_in(str(value), babel_locale(language))


@lru_cache(maxsize=4096)
def _percent_in(value: str, locale: str) -> str:
    from babel.numbers import format_percent as _fp

    rate = Decimal(value).normalize() / 100
    return _fp(rate, locale=locale, decimal_quantization=False)


def format_count(value: int | Decimal, language: str | None = None) -> str:
    """A count as the reader writes it: ``1 000`` (fr, a narrow no-break space), ``1,000`` (en).

    A decimal quantity keeps its fraction (``2.5``, ``2,5``) and drops trailing zeros.
    """
    if isinstance(value, Decimal) and value != value.to_integral_value():
        from babel.numbers import format_decimal

        return format_decimal(value.normalize(), format="#,##0.####", locale=babel_locale(language))
    return _count_in(int(value), babel_locale(language))


@lru_cache(maxsize=8192)
def _count_in(value: int, locale: str) -> str:  # a table writes the same counts many times
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale)


def axis_count(value: float, _position: int = 0) -> str:
    """A chart axis tick (matplotlib ``FuncFormatter``): a whole count as the reader
    writes it, a fraction as it is."""
    return format_count(int(value)) if value == int(value) else f"{value:g}"
