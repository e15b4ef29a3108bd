"""Page-number pagination shared by every list endpoint."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase


class PageNumber(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=500)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def paginate_queryset(self, queryset: Any, pagination: Input, **params: Any) -> Any:
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }


COUNT_CAP = 10_000


def _encode_cursor(values: tuple[Any, ...]) -> str:
    import base64

    return base64.urlsafe_b64encode(",".join(map(str, values)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, width: int) -> tuple[int, ...] | None:
    import base64

    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = tuple(int(v) for v in raw.split(","))
    except (ValueError, UnicodeDecodeError):
        return None
    return values if len(values) == width else None


def after_key(queryset: Any, fields: tuple[str, ...], values: tuple[int, ...]) -> Any:
    """Rows strictly after ``values`` in the order ``fields`` (all ascending): a keyset
    condition an index on ``fields`` answers without reading the rows before."""
    from django.db.models import Q

    cond = Q()
    for i, name in enumerate(fields):
        step = Q(**{f"{name}__gt": values[i]})
        for prev, value in zip(fields[:i], values[:i], strict=True):
            step &= Q(**{prev: value})
        cond |= step
    return queryset.filter(cond)


class Keyset(PaginationBase):
    """Keyset (cursor) pagination for large lists, compatible with :class:`PageNumber`.

    ``cursor`` (from the previous answer's ``next_cursor``) goes on after the last row
    seen, using an index in the list's order (``keyset_fields``, ascending integer
    fields) however deep the page; without it ``page`` works as before. ``count`` is exact
    up to ``COUNT_CAP`` and then ``COUNT_CAP`` with ``count_capped`` true (never a count of
    a million rows per request)."""

    keyset_fields: tuple[str, ...] = ("id",)

    class KeysetInput(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=500)
        cursor: str | None = Field(None, description="next_cursor of the previous page")

    class KeysetOutput(Schema):
        items: list[Any]
        count: int
        count_capped: bool = False
        page: int
        page_size: int
        next_cursor: str | None = None

    Input = KeysetInput
    Output = KeysetOutput

    def __init__(self, keyset_fields: tuple[str, ...] = ("id",), **kwargs: Any) -> None:
        self.keyset_fields = keyset_fields
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset: Any, pagination: KeysetInput, **params: Any) -> Any:
        from fleetcare.api.errors import ProblemError

        size = pagination.page_size
        fields = self.keyset_fields
        rows = queryset.order_by(*fields)
        if pagination.cursor:
            key = _decode_cursor(pagination.cursor, len(fields))
            if key is None:
                raise ProblemError(422, "cursor: not a cursor of this list.")
            page_rows = after_key(rows, fields, key)
        else:
            offset = (pagination.page - 1) * size
            page_rows = rows[offset:]
        items = list(page_rows[: size + 1])
        more = len(items) > size
        items = items[:size]
        n = queryset.order_by()[: COUNT_CAP + 1].count()
        last = items[-1] if items else None
        nxt = None
        if more and last is not None:
            nxt = _encode_cursor(tuple(getattr(last, f) for f in fields))
        return {
            "items": items,
            "count": min(n, COUNT_CAP),
            "count_capped": n > COUNT_CAP,
            "page": pagination.page,
            "page_size": size,
            "next_cursor": nxt,
        }
