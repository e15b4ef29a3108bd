"""Pagination shared by the list endpoints: page numbers, and sortable keyset pages."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

from fleetcare.core.keyset import (
    MAX_PAGE_SIZE,
    PAGE_NUMBER_LIMIT,
    BadListQuery,
    Sort,
    Sorts,
    capped_count,
    encode_cursor,
    fetch_page,
)


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


class Keyset(PaginationBase):
    """Sortable keyset (cursor) pagination, the portal's lists' own (``core.keyset``).

    ``order`` is one of the list's sorts (each one an index of the table, ending in id);
    ``cursor`` (the previous answer's ``next_cursor`` or ``prev_cursor``) goes on after
    or before the row it names, at the same cost however deep; ``page_size`` 1–500.
    ``count`` is exact up to ``COUNT_CAP`` and then ``COUNT_CAP`` with ``count_capped``
    (never a count of a million rows per request). ``page`` still works for the first
    ``PAGE_NUMBER_LIMIT`` rows (an OFFSET beyond them is refused: use the cursor)."""

    class KeysetInput(Schema):
        order: str | None = Field(None, description="a sort key of this list, e.g. -opened")
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
        cursor: str | None = Field(None, description="next_cursor or prev_cursor of a page")

    class KeysetOutput(Schema):
        items: list[Any]
        count: int
        count_capped: bool = False
        page: int
        page_size: int
        order: str
        next_cursor: str | None = None
        prev_cursor: str | None = None

    Input = KeysetInput
    Output = KeysetOutput

    def __init__(self, sorts: Sorts | None = None, **kwargs: Any) -> None:
        self.sorts = sorts or Sorts(Sort("id", "id", ("id",)))
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset: Any, pagination: KeysetInput, **params: Any) -> Any:
        from fleetcare.api.errors import ProblemError

        size = pagination.page_size
        try:
            sort = self.sorts.get(pagination.order)
            if pagination.page > 1 and not pagination.cursor:
                offset = (pagination.page - 1) * size
                if offset + size > PAGE_NUMBER_LIMIT:
                    raise BadListQuery(
                        "page",
                        f"page: pages by number reach row {PAGE_NUMBER_LIMIT:,} at most; "
                        "follow next_cursor beyond.",
                    )
                rows = list(queryset.order_by(*sort.fields)[offset : offset + size + 1])
                items, (n, capped), prev = rows[:size], capped_count(queryset), None
                nxt = None
                if len(rows) > size:
                    nxt = encode_cursor(sort, [getattr(items[-1], c) for c in sort.columns])
            else:
                page = fetch_page(queryset, sort, size=size, cursor=pagination.cursor)
                items, n, capped = page.object_list, page.count, page.count_capped
                nxt, prev = page.next_cursor, page.prev_cursor
        except BadListQuery as exc:
            raise ProblemError(422, exc.message) from exc
        return {
            "items": items,
            "count": n,
            "count_capped": capped,
            "page": pagination.page,
            "page_size": size,
            "order": sort.key,
            "next_cursor": nxt,
            "prev_cursor": prev,
        }
