"""Keyset (cursor) lists: sortable, any page size, the same cost on page 1 and page 20,000.

A list declares its sort options (:class:`Sorts`): each one is a tuple of the model's own
columns, all in one direction, ending in ``id`` (or in a unique column), and backed by an
index in that order. A page is then "the ``size`` rows after (or before) this row in this
order": a row-value comparison ``(a, b, id) > (x, y, z)`` that the index answers directly,
never an ``OFFSET`` that reads every row before. No ``COUNT(*)`` of the whole list either:
the count is exact up to :data:`COUNT_CAP` and "more than" beyond.

The portal (:func:`keyset_page` from ``request.GET``) and the API
(``api.pagination.SortedKeyset``) share this module: ``order``, ``page_size`` and
``cursor`` mean the same in both.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan
from django.http import QueryDict

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500  # the API's bound; the portal offers PAGE_SIZES
# Counted exactly up to this, then "more than": the count reads at most COUNT_CAP + 1
# index entries (0.4 ms at 1,000; 3.4 ms at 10,000 on a million-device account).
COUNT_CAP = 1_000
# ``page=N`` (an OFFSET) is accepted while it stays within this many rows; beyond, the
# cursor.
PAGE_NUMBER_LIMIT = 10_000


class BadListQuery(ValueError):
    """An ``order``, ``page_size`` or ``cursor`` the list does not know: ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Sort:
    """One way to order a list: ``key`` as in ``?order=key``; ``fields`` all ascending or
    all descending (``-name``), the last one ``id`` or a unique column."""

    key: str
    label: Any
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        signs = {f.startswith("-") for f in self.fields}
        if len(signs) != 1:
            raise ValueError(f"sort {self.key}: every field in one direction")

    @property
    def descending(self) -> bool:
        return self.fields[0].startswith("-")

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.lstrip("-") for f in self.fields)


@dataclass(frozen=True)
class Sorts:
    """A list's sort options; the first is the default."""

    options: tuple[Sort, ...]

    def __init__(self, *options: Sort) -> None:
        object.__setattr__(self, "options", options)

    @property
    def default(self) -> Sort:
        return self.options[0]

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.options]

    def get(self, key: str | None) -> Sort:
        """The sort ``key`` names (the default when blank); unknown → :class:`BadListQuery`."""
        if not key:
            return self.default
        for option in self.options:
            if option.key == key:
                return option
        raise BadListQuery("order", f"order: unknown sort {key!r} (one of {', '.join(self.keys)}).")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode_cursor(sort: Sort, values: Sequence[Any], *, before: bool = False) -> str:
    raw = json.dumps(
        {"o": sort.key, "v": [_jsonable(v) for v in values], "b": int(before)},
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(qs: QuerySet, sort: Sort, cursor: str) -> tuple[tuple[Any, ...], bool]:
    """The row values a cursor points at, and whether it asks for the rows before them."""
    bad = BadListQuery("cursor", "cursor: not a cursor of this list and order.")
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = data["v"]
        if data["o"] != sort.key or len(values) != len(sort.fields):
            raise bad
        opts = qs.model._meta
        typed = tuple(
            opts.get_field(name).to_python(value)
            for name, value in zip(sort.columns, values, strict=True)
        )
    except BadListQuery:
        raise
    except Exception as exc:  # any malformed cursor is the client's error, never a 500
        raise bad from exc
    if any(v is None for v in typed):
        raise bad
    return typed, bool(data.get("b"))


def _pinned(qs: QuerySet, column: str) -> Any:
    """The value ``qs`` fixes ``column`` to with a top-level ``column = value`` (e.g. a
    customer's ``account_id``), or a marker object when it does not."""
    from django.db.models.lookups import Exact

    where = qs.query.where
    if where.connector != "AND" or where.negated:
        return _NOT_PINNED
    field = qs.model._meta.get_field(column)
    for child in where.children:
        if (
            isinstance(child, Exact)
            and getattr(child.lhs, "target", None) is field
            and getattr(child.lhs, "alias", None) == qs.model._meta.db_table
            and not hasattr(child.rhs, "resolve_expression")
        ):
            return child.rhs
    return _NOT_PINNED


_NOT_PINNED = object()


def _after(qs: QuerySet, sort: Sort, values: tuple[Any, ...], *, before: bool) -> QuerySet:
    """Rows after ``values`` in the sort's order (before them with ``before``).

    Leading columns the query already fixes to the cursor's value (a tenant's account)
    are left out of the row comparison: PostgreSQL would otherwise start the index scan
    at that equality and walk every entry up to the cursor (measured: 57 ms and 2,467
    buffers at row 500,000, against 0.05 ms and 4 buffers without it)."""
    columns, vals = list(sort.columns), list(values)
    while len(columns) > 1 and _pinned(qs, columns[0]) == vals[0]:
        columns.pop(0)
        vals.pop(0)
    if len(columns) == 1:
        col = columns[0]
        greater = (not before) != sort.descending
        return qs.filter(**{f"{col}__{'gt' if greater else 'lt'}": vals[0]})
    values = tuple(vals)
    cols = tuple(F(c) for c in columns)
    forward = not before
    greater = forward != sort.descending  # ascending & forward, or descending & backward
    lookup = TupleGreaterThan if greater else TupleLessThan
    return qs.filter(lookup(cols, values))


def page_size_of(value: Any, *, choices: Sequence[int] | None = PAGE_SIZES) -> int:
    """A page size from a query value: one of ``choices`` (or 1…MAX_PAGE_SIZE when ``None``)."""
    if value in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = -1
    ok = size in choices if choices is not None else 1 <= size <= MAX_PAGE_SIZE
    if not ok:
        allowed = ", ".join(map(str, choices)) if choices else f"1 to {MAX_PAGE_SIZE}"
        raise BadListQuery("page_size", f"page_size: {value!r} is not one of {allowed}.")
    return size


@dataclass
class KeysetPage:
    """One page: its rows, the cursors to the next and previous pages, a capped count."""

    object_list: list[Any]
    sort: Sort
    sorts: Sorts
    size: int
    next_cursor: str | None
    prev_cursor: str | None
    count: int
    count_capped: bool
    is_first: bool
    query: str = ""  # the request's other parameters (filters), url-encoded
    base_query: str = ""  # the filters only (no order/page size): for sort and size links
    hidden: list[tuple[str, str]] = field(default_factory=list)  # filters + order, for forms

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_cursor is not None

    @property
    def page_sizes(self) -> tuple[int, ...]:
        return PAGE_SIZES


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, reading at most ``cap + 1`` of them: (count, more than cap)."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def fetch_page(
    qs: QuerySet,
    sort: Sort,
    *,
    size: int,
    cursor: str | None = None,
    count: tuple[int, bool] | None = None,
) -> KeysetPage:
    """The page of ``qs`` in ``sort`` order after (or before) ``cursor``: two queries (the
    rows, the capped count) unless ``count`` is given (e.g. a snapshot's device count)."""
    before = False
    ordered = qs.order_by(*sort.fields)
    rows_qs = ordered
    if cursor:
        values, before = decode_cursor(qs, sort, cursor)
        rows_qs = _after(qs, sort, values, before=before)
        if before:
            rows_qs = rows_qs.order_by(*(_flip(f) for f in sort.fields))
        else:
            rows_qs = rows_qs.order_by(*sort.fields)
    split = _split_column(qs, sort)
    if split is not None:
        rows = _split_rows(qs, sort, split, size + 1, values if cursor else None, before)
    else:
        rows = list(rows_qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if before and not more:  # back at the start: the first page, full
        return fetch_page(qs, sort, size=size, count=count)
    if before:
        rows.reverse()
    nxt = prev = None
    if rows:
        if more or before:
            nxt = encode_cursor(sort, _key(rows[-1], sort))
        if cursor:
            prev = encode_cursor(sort, _key(rows[0], sort), before=True)
    n, capped = count if count is not None else capped_count(qs)
    return KeysetPage(
        object_list=rows,
        sort=sort,
        sorts=Sorts(sort),
        size=size,
        next_cursor=nxt,
        prev_cursor=prev,
        count=n,
        count_capped=capped,
        is_first=not cursor,
    )


MAX_SPLIT = 64


def _split_column(qs: QuerySet, sort: Sort) -> tuple[str, list[Any]] | None:
    """The first sort column after the pinned ones, when ``qs`` narrows it to a short
    list (``column IN (…)``, e.g. the models of a category): PostgreSQL before 17 cannot
    read such a list from the index in order and reads every row of the account instead
    (measured: 343 ms at a million devices), so the page is read per value instead."""
    from django.db import connections
    from django.db.models.lookups import In

    if not connections[qs.db].features.supports_slicing_ordering_in_compound:
        return None  # SQLite: no LIMIT inside UNION ALL parts (and no such planner issue)
    where = qs.query.where
    if where.connector != "AND" or where.negated:
        return None
    columns = list(sort.columns)
    while len(columns) > 1 and _pinned(qs, columns[0]) is not _NOT_PINNED:
        columns.pop(0)
    if len(columns) < 2:
        return None
    field = qs.model._meta.get_field(columns[0])
    for child in where.children:
        if (
            isinstance(child, In)
            and getattr(child.lhs, "target", None) is field
            and getattr(child.lhs, "alias", None) == qs.model._meta.db_table
            and isinstance(child.rhs, list | tuple | set)
            and 0 < len(child.rhs) <= MAX_SPLIT
        ):
            return columns[0], sorted(child.rhs)
    return None


class _Value:
    """Stands for the split column's value in the SQL of one part, compiled once."""


def _split_rows(
    qs: QuerySet,
    sort: Sort,
    split: tuple[str, list[Any]],
    limit: int,
    key: tuple[Any, ...] | None,
    before: bool,
) -> list[Any]:
    """One index range per value of the split column, each cut at ``limit`` rows, joined
    with UNION ALL (one query for the keys), then the rows themselves (one query).

    The parts differ only by their value: one part is compiled with a placeholder and its
    SQL repeated with each value (compiling a part per value was a third of a category
    page's time); the part holding the cursor, which adds the row comparison, is compiled
    on its own."""
    from django.db import connections
    from django.db.models.expressions import RawSQL

    column, values = split
    forward = not before
    ascending = forward != sort.descending  # the direction the rows are read in
    fields = sort.fields if forward else tuple(_flip(f) for f in sort.fields)
    cols = sort.columns if "id" in sort.columns else ("pk", *sort.columns)
    pk_at = cols.index("id") if "id" in cols else 0
    connection = connections[qs.db]

    def compiled(part: QuerySet) -> tuple[str, list[Any]]:
        part = part.order_by(*fields).values_list(*cols)[:limit]
        sql, params = part.query.get_compiler(using=qs.db).as_sql()
        return sql, list(params)

    marker = _Value()
    shared: tuple[str, list[Any]] | None = None
    sqls: list[str] = []
    params: list[Any] = []
    for value in values:
        if key is not None:
            current = key[sort.columns.index(column)]
            if (value < current) if ascending else (value > current):
                continue  # wholly before the cursor
            if value == current:
                sql, part_params = compiled(
                    _after(qs.filter(**{column: value}), sort, key, before=before)
                )
                sqls.append(sql)
                params += part_params
                continue
        if shared is None:
            shared = compiled(qs.filter(**{column: RawSQL("%s", (marker,))}))
        sqls.append(shared[0])
        params += [value if p is marker else p for p in shared[1]]
    if not sqls:
        return []
    if len(sqls) == 1:
        sql = sqls[0]
    else:
        order = ", ".join(
            f"{cols.index(f.lstrip('-')) + 1} {'DESC' if f.startswith('-') else 'ASC'}"
            for f in fields
        )
        sql = " UNION ALL ".join(f"({part})" for part in sqls)
        sql += f" ORDER BY {order} LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pks = [row[pk_at] for row in cursor.fetchall()]
    by_pk = {obj.pk: obj for obj in qs.filter(pk__in=pks)}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _key(row: Any, sort: Sort) -> tuple[Any, ...]:
    return tuple(getattr(row, c) for c in sort.columns)


def keyset_page(
    request: Any,
    qs: QuerySet,
    sorts: Sorts,
    *,
    count: tuple[int, bool] | None = None,
    default_order: str | None = None,
) -> tuple[KeysetPage, list[str]]:
    """The portal's page of ``qs`` from ``request.GET`` (``order``, ``page_size``,
    ``cursor``), and a message per parameter it could not use (that parameter is then
    left out: the default order, size or first page; never a 500)."""
    from django.utils.translation import gettext as _

    get = request.GET
    problems: list[str] = []
    try:
        sort = sorts.get(get.get("order") or default_order)
    except BadListQuery:
        sort = sorts.default
        problems.append(
            _("Unknown sort order “%(value)s”: the list is in its usual order.")
            % {"value": get.get("order")}
        )
    try:
        size = page_size_of(get.get("page_size"))
    except BadListQuery:
        size = DEFAULT_PAGE_SIZE
        problems.append(
            _("Page size “%(value)s” is not offered: %(size)s rows a page.")
            % {"value": get.get("page_size"), "size": size}
        )
    cursor = get.get("cursor") or None
    if not cursor and get.get("page") not in (None, "", "1"):
        # An old link by page number (the list pages by cursor): say so, never a silent page 1.
        problems.append(_("Pages are reached with Next and Previous: here is the first page."))
    try:
        page = fetch_page(qs, sort, size=size, cursor=cursor, count=count)
    except BadListQuery:
        problems.append(_("That page link is no longer valid: here is the first page."))
        page = fetch_page(qs, sort, size=size, count=count)
    page.sorts = sorts
    page.query = _query(get, drop=("cursor",), sort=sort, size=size)
    page.base_query = _query(get, drop=("cursor", "order", "page_size", "page"))
    page.hidden = [
        *QueryDict(page.base_query).items(),
        ("order", sort.key),
    ]
    return page, problems


def _query(get: QueryDict, *, drop: Sequence[str], sort: Sort | None = None, size: int = 0) -> str:
    query = get.copy()
    for name in (*drop, "page"):
        query.pop(name, None)
    for key in [k for k, values in query.lists() if not any(values)]:
        del query[key]
    if sort is not None:
        query.pop("order", None)
        query.pop("page_size", None)
        query["order"] = sort.key
        query["page_size"] = str(size)
    return query.urlencode()
