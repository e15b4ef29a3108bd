"""Money: exact decimal amounts with a currency (R-MON-1).

Never float. Rounding is half up to the cent, at line level (callers round each
line with :func:`round_money` or :meth:`Money.rounded`). Mixing currencies is an
error (:class:`CurrencyMismatch`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

__all__ = ["CENT", "CurrencyMismatch", "Money", "round_fraction", "round_money", "to_decimal"]

CENT = Decimal("0.01")


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined (R-MON-1)."""


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Convert an int, str or Decimal to Decimal; floats are refused (R-MON-1)."""
    if isinstance(value, bool | float):
        raise TypeError("money amounts must be Decimal, int or str, never float")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal amount: {value!r}") from exc


def round_money(amount: Decimal) -> Decimal:
    """Round to the cent, half up (away from zero on .5), per R-MON-1."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_fraction(value: Fraction) -> Decimal:
    """Round an exact rational amount to the cent, half up (R-MON-1).

    Used where an amount is a product with a rational proration fraction so that
    a true half cent is never lost to a repeating decimal.
    """
    cents = value * 100
    sign = -1 if cents < 0 else 1
    whole = int(abs(cents) + Fraction(1, 2))  # floor(|x| + 1/2) == half up
    return (Decimal(sign * whole) / 100).quantize(CENT)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in a currency (ISO 4217 code), R-MON-1."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", to_decimal(self.amount))
        if not (isinstance(self.currency, str) and len(self.currency) == 3):
            raise ValueError(f"currency must be a 3-letter ISO 4217 code, got {self.currency!r}")
        object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build from a str/int/Decimal amount: ``Money.of("12.5", "EUR")``."""
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``."""
        return cls(Decimal("0.00"), currency)

    def _check(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"currency mismatch: {self.currency} vs {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        o = self._check(other)
        return Money(self.amount + o.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        o = self._check(other)
        return Money(self.amount - o.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            raise TypeError("Money can only be multiplied by Decimal or int")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._check(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._check(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._check(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._check(other).amount

    def rounded(self) -> Money:
        """This amount rounded half up to the cent (R-MON-1)."""
        return Money(round_money(self.amount), self.currency)

    def __str__(self) -> str:
        return f"{self.currency} {round_money(self.amount):,.2f}"
