"""Text look-ups that an index answers, on a million rows.

- ``field__in=variants(q)``: an exact match (as typed and upper-cased), a b-tree probe.
- ``field__startswith=…``: a prefix, answered on PostgreSQL by an index with the
  ``varchar_pattern_ops`` operator class (the default collation's index cannot serve
  ``LIKE 'x%'``).
- ``field__ilike_contains=…``: "contains, any case". On PostgreSQL this is ``ILIKE
  '%x%'`` on the bare column, which a trigram GIN index (``gin_trgm_ops``, extension
  ``pg_trgm``) answers; Django's own ``icontains`` wraps the column in ``UPPER()``, which
  that index does not serve. Elsewhere (SQLite in tests) it is ``icontains``.

A contains search is only made for :data:`MIN_CONTAINS` characters or more: a trigram
index cannot narrow a one- or two-letter pattern, so shorter input matches exactly or
by prefix only.
"""

from __future__ import annotations

from django.db.models import CharField
from django.db.models.lookups import IContains

MIN_CONTAINS = 3


@CharField.register_lookup
class ILikeContains(IContains):
    lookup_name = "ilike_contains"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        return IContains(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs}::text ILIKE {rhs}", [*lhs_params, *rhs_params]


def variants(q: str) -> list[str]:
    """``q`` as typed and upper-cased (serials and references are stored upper-case)."""
    q = q.strip()
    return sorted({q, q.upper()})


def trigram_search_available(connection) -> bool:  # type: ignore[no-untyped-def]
    """Whether contains-searches have their trigram index (PostgreSQL with pg_trgm)."""
    return connection.vendor == "postgresql"
