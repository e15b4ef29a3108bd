"""Input types shared by the API schemas.

``ApiDate`` is a calendar date within a sane range (``API_MIN_YEAR``..``API_MAX_YEAR``):
a contract, delivery or authorisation in year 52 or 9999 is a typing error, answered
422 with the field named, not stored.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

MIN_YEAR = 2000
MAX_YEAR = 2100


def _sane_date(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the date must be between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31")
    return value


ApiDate = Annotated[date, AfterValidator(_sane_date)]
