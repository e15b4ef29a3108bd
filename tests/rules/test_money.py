"""R-MON-1: Money."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcare.rules.money import CurrencyMismatch, Money, round_fraction, round_money


def test_r_mon_1_half_up_to_the_cent() -> None:
    assert round_money(Decimal("2.675")) == Decimal("2.68")
    assert round_money(Decimal("2.665")) == Decimal("2.67")
    assert round_money(Decimal("-2.675")) == Decimal("-2.68")
    assert round_money(Decimal("332.7123")) == Decimal("332.71")


def test_r_mon_1_arithmetic_and_str() -> None:
    a = Money.of("12.5", "eur")
    assert a.currency == "EUR"
    assert a + Money.of("0.5", "EUR") == Money.of("13.0", "EUR")
    assert a - Money.of("2.5", "EUR") == Money.of("10", "EUR")
    assert a * 3 == Money.of("37.5", "EUR")
    assert 2 * a == Money.of("25", "EUR")
    assert a * Decimal("0.5") == Money.of("6.25", "EUR")
    assert Money.of("12600", "EUR").rounded().amount == Decimal("12600.00")
    assert str(Money.of("12600", "EUR")) == "EUR 12,600.00"
    assert Money.of("1", "EUR") < Money.of("2", "EUR")
    assert Money.of("0.005", "EUR").rounded() == Money.of("0.01", "EUR")


def test_r_mon_1_mixing_currencies_is_an_error() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "EUR") + Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "EUR") < Money.of("1", "USD")
    assert issubclass(CurrencyMismatch, ValueError)


def test_r_mon_1_never_float() -> None:
    with pytest.raises(TypeError):
        Money.of(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _ = Money.of("1", "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(ValueError):
        Money.of("abc", "EUR")
    with pytest.raises(ValueError):
        Money.of("1", "EURO")


@given(st.fractions(min_value=-10_000, max_value=10_000, max_denominator=1000))
def test_r_mon_1_round_fraction_is_half_up(value: Fraction) -> None:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    # half-up on the exact value: never further than half a cent away
    assert abs(round_fraction(value) - exact) <= Decimal("0.005")
    assert round_fraction(Fraction(1, 200)) == Decimal("0.01")
    assert round_fraction(Fraction(-1, 200)) == Decimal("-0.01")
