"""Writing a validated inventory on PostgreSQL: one pass, binary COPY, set-based counts."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fleetcare.fleet.importing.orm_writer import _DEVICE_COLUMNS, Plan, retiring_accounts
from fleetcare.fleet.importing.reading import ImportRejected, _err
from fleetcare.fleet.importing.validation import Analysis, _other_account


def use_direct_writing() -> bool:
    """One pass writing while validating (PostgreSQL); two passes and the ORM elsewhere."""
    return connection.vendor == "postgresql"


_STAGE = "fleet_import_stage"


_DEVICE_TYPES = ["timestamptz", "timestamptz", "int8", "int8", "int8"]
_DEVICE_TYPES += ["text", "text", "date", "date", "text"]


_NULL = "\\N"


def _copy_text(value: str) -> str:
    """A value in COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t")
        value = value.replace("\n", "\\n").replace("\r", "\\r")
    return value


class DirectWriter:
    """Writes validated rows as they come, inside the caller's transaction (PostgreSQL).

    A row of an account that has no device yet is a new device: it goes straight into
    the device table by binary ``COPY`` (the server maintains the indexes while Python
    parses the next rows). A row of an account that has devices must be matched to them:
    it is spooled (a temporary file past 16 MB) and :meth:`finish` loads the spool into a
    TEMP table and matches it with set-based statements.
    """

    def __init__(self, as_of: date, accounts_with_devices: set[int], mode: str = "full") -> None:
        from fleetcare.fleet.models import Device

        self.as_of = as_of
        self.mode = mode
        self.retired: dict[int, int] = {}
        self.active: dict[int, int] = {}
        self.now = timezone.now()
        self.known = accounts_with_devices
        self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by finish()
            max_size=16 << 20, mode="w+", newline="", encoding="utf-8"
        )
        self.spooled = 0
        self._cursor = connection.cursor()
        cols = ", ".join(_DEVICE_COLUMNS)
        self._copy_cm = self._cursor.cursor.copy(
            f"COPY {Device._meta.db_table} ({cols}) FROM STDIN (FORMAT BINARY)"
        )
        copy = self._copy_cm.__enter__()
        copy.set_types(_DEVICE_TYPES)
        self._write_row = copy.write_row

    def add(
        self,
        number: int,
        acc: int,
        model: int,
        serial: str | None,
        site: int | None,
        fw: str,
        first: date | None,
    ) -> None:
        if acc in self.known:
            self.spooled += 1
            null = _NULL
            sn = null if serial is None else _copy_text(serial)
            st = null if site is None else site
            fs = null if first is None else first.isoformat()
            self.spool.write(f"{number}\t{acc}\t{model}\t{sn}\t{st}\t{_copy_text(fw)}\t{fs}\n")
            return
        as_of, now = self.as_of, self.now
        self._write_row((now, now, acc, site, model, serial, fw, first or as_of, as_of, "active"))

    def close(self, exc: BaseException | None = None) -> None:
        """End the ``COPY`` (a unique-index clash surfaces here as IntegrityError)."""
        cm, self._copy_cm = self._copy_cm, None
        if cm is not None:
            try:
                if exc is None:
                    cm.__exit__(None, None, None)
                else:
                    cm.__exit__(type(exc), exc, exc.__traceback__)
            finally:
                self._cursor.close()
        if exc is not None:
            self.spool.close()

    def finish(self, analysis: Analysis) -> Plan:
        """Match and write the spooled rows; the plan of the whole import."""
        updated: dict[int, int] = {}
        if self.spooled:
            updated = self._apply_spool(analysis)
        self.spool.close()
        created = {}
        for acc, counter in analysis.counts.items():
            n = sum(counter.values()) - updated.get(acc, 0)
            if n:
                created[acc] = n
        return Plan(created, {a: n for a, n in updated.items() if n}, self.retired, self.active)

    def _apply_spool(self, analysis: Analysis) -> dict[int, int]:
        from fleetcare.fleet.models import Device

        t, d = _STAGE, Device._meta.db_table
        as_of, now = self.as_of, self.now
        self.spool.seek(0)
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {t}")
            cur.execute(
                f"CREATE TEMP TABLE {t} (row_no integer NOT NULL, account_id bigint NOT NULL, "
                "product_model_id bigint NOT NULL, serial_number text, site_id bigint, "
                "firmware_version text NOT NULL, first_seen_on date, device_id bigint) "
                "ON COMMIT DROP"
            )
            cols = "row_no, account_id, product_model_id, serial_number, site_id, "
            cols += "firmware_version, first_seen_on"
            with cur.cursor.copy(f"COPY {t} ({cols}) FROM STDIN") as copy:
                while chunk := self.spool.read(1 << 20):
                    copy.write(chunk)
            cur.execute(f"ANALYZE {t}")
            # Serial numbers of another account's device (the rows written directly were
            # checked by the unique index).
            cur.execute(
                f"SELECT s.row_no, s.serial_number FROM {t} s JOIN {d} d "
                "ON d.product_model_id = s.product_model_id "
                "AND d.serial_number = s.serial_number "
                "WHERE s.serial_number IS NOT NULL AND d.account_id <> s.account_id"
            )
            clashes = [_other_account(row, serial) for row, serial in cur.fetchall()]
            if clashes:
                raise ImportRejected(sorted(clashes, key=lambda e: e["row"]))
            # A row with a serial number is that device (same account, model and serial).
            cur.execute(
                f"UPDATE {t} s SET device_id = d.id FROM {d} d "
                "WHERE s.serial_number IS NOT NULL AND d.serial_number = s.serial_number "
                "AND d.product_model_id = s.product_model_id AND d.account_id = s.account_id"
            )
            # Rows without a serial: the k-th row (file order) of an (account, model, site)
            # group takes the k-th oldest active serial-less device of that group.
            cur.execute(
                f"""
                WITH r AS (
                    SELECT row_no, account_id, product_model_id, COALESCE(site_id, 0) AS g,
                           row_number() OVER (PARTITION BY account_id, product_model_id,
                               COALESCE(site_id, 0) ORDER BY row_no) AS k
                    FROM {t} WHERE serial_number IS NULL
                ), p AS (
                    SELECT id, account_id, product_model_id, COALESCE(site_id, 0) AS g,
                           row_number() OVER (PARTITION BY account_id, product_model_id,
                               COALESCE(site_id, 0) ORDER BY id) AS k
                    FROM {d}
                    WHERE account_id IN (SELECT DISTINCT account_id FROM {t})
                      AND status = 'active' AND serial_number IS NULL
                )
                UPDATE {t} s SET device_id = p.id
                FROM r JOIN p USING (account_id, product_model_id, g, k)
                WHERE s.row_no = r.row_no
                """
            )
            accounts = sorted(set(analysis.account_ids) & self.known)
            cur.execute(
                f"SELECT account_id, count(*) FROM {d} WHERE account_id = ANY(%s) "
                "AND status = 'active' GROUP BY account_id",
                [accounts],
            )
            self.active = dict(cur.fetchall())
            # A device in the inventory again is active again (a retired one too).
            cur.execute(
                f"UPDATE {d} d SET site_id = COALESCE(s.site_id, d.site_id), "
                "firmware_version = CASE WHEN s.firmware_version <> '' "
                "THEN s.firmware_version ELSE d.firmware_version END, "
                "last_seen_on = GREATEST(d.last_seen_on, %s), updated_at = %s, "
                "status = CASE WHEN d.status = 'retired' THEN 'active' ELSE d.status END "
                f"FROM {t} s WHERE s.device_id = d.id",
                [as_of, now],
            )
            if self.mode == "full":  # the active devices the file does not name retire
                retiring = sorted(retiring_accounts(accounts, as_of))
                cur.execute(
                    f"WITH r AS (UPDATE {d} d SET status = 'retired', updated_at = %s "
                    "WHERE d.account_id = ANY(%s) AND d.status = 'active' "
                    f"AND NOT EXISTS (SELECT 1 FROM {t} s WHERE s.device_id = d.id) "
                    "RETURNING d.account_id) SELECT account_id, count(*) FROM r GROUP BY 1",
                    [now, retiring],
                )
                self.retired = dict(cur.fetchall())
            cur.execute(
                f"INSERT INTO {d} ({', '.join(_DEVICE_COLUMNS)}) "
                "SELECT %s, %s, account_id, site_id, product_model_id, serial_number, "
                "firmware_version, COALESCE(first_seen_on, %s), %s, 'active' "
                f"FROM {t} WHERE device_id IS NULL ORDER BY row_no",
                [now, now, as_of, as_of],
            )
            cur.execute(
                f"SELECT account_id, count(*) FROM {t} WHERE device_id IS NOT NULL "
                "GROUP BY account_id"
            )
            updated = dict(cur.fetchall())
            cur.execute(f"DROP TABLE {t}")
        return updated


def accounts_with_devices(account_ids: Iterable[int] | None) -> set[int]:
    """The accounts (all customers when None) that already have a device."""
    from fleetcare.fleet.models import Device
    from fleetcare.organisations.models import Organisation, OrganisationKind

    accounts = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    has = Device.objects.filter(account_id=OuterRef("pk"))
    return set(accounts.filter(Exists(has)).values_list("pk", flat=True))


def skip_fk_triggers() -> bool:
    """The bulk path: skip the per-row foreign-key triggers for the rest of the import's
    transaction (``SET LOCAL session_replication_role = replica``; the constraints stay).
    The references are then checked once, set-based, by :func:`lock_references`.

    Needs superuser (or, on PostgreSQL 15+, ``GRANT SET ON PARAMETER
    session_replication_role``); without it nothing changes and the import takes the
    ordinary path (per-row triggers). Returns whether the triggers are skipped."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def restore_fk_triggers() -> None:
    with connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = origin")


def lock_references(analysis: Analysis, actor: Any = None) -> None:
    """Hold the referenced accounts, catalogue rows, sites and acting user until commit
    (what an FK trigger does, once per referenced row instead of once per device, count or
    change-log entry) and check that they are all there: with the triggers skipped
    (:func:`skip_fk_triggers`) this is the reference check of every row the import writes
    (devices, snapshots, counts, change log), whose references are exactly these ids or
    rows of the import itself."""
    from fleetcare.catalog.models import Category, ProductModel
    from fleetcare.organisations.models import Organisation, Site, User

    models = sorted({m for counter in analysis.counts.values() for m in counter})
    categories = sorted({analysis.categories[m] for m in models if m in analysis.categories})
    accounts = sorted(analysis.counts)
    users = [actor.pk] if getattr(actor, "is_authenticated", False) and actor.pk else []
    refs = (
        (Organisation, accounts),
        (ProductModel, models),
        (Category, categories),
        (Site, sorted(analysis.sites_used)),
        (User, users),
    )
    with connection.cursor() as cur:
        for model, ids in refs:
            if not ids:
                continue
            cur.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {model._meta.db_table} "
                "WHERE id = ANY(%s) FOR KEY SHARE) x",
                [ids],
            )
            if cur.fetchone()[0] != len(ids):
                raise ImportRejected([_err(1, "", "references_changed")])
