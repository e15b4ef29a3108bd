"""Inventory import engine (R-FLT-2, R-FLT-4): stream rows, validate all, then write.

A file (CSV or XLSX) or an API batch is the account's whole inventory on ``as_of``.
Never the whole file in memory:

- :func:`analyse` parses and validates every row and collects *every* error (row
  number as in the file: 1 is the header, data starts at 2; column; reason), the
  counts per account and product model, and the serial numbers (for duplicates).
- On PostgreSQL it is the only pass: inside the caller's transaction it hands every
  clean row to a :class:`DirectWriter` (binary ``COPY`` into the device table for new
  devices, a spool matched set-based at the end for accounts that have devices); any
  error and the caller rolls back.
- Elsewhere :func:`apply` (only when there is no error) reads the stream again and
  writes with ``bulk_create`` / ``bulk_update`` inside the caller's transaction.

Matching: a row with a serial number is that device (same model and serial) and is
updated (a retired one is active again); rows without a serial are matched, per
account, model and site, to the active devices without a serial, oldest first; extra
rows are new devices. A **full inventory** (mode ``full``) then retires the account's
active devices the file did not name, unless the account has a done inventory of a
later date (an older file records history only); **add or update** (mode ``add``)
retires nothing.

A file may carry an ``account`` column (main account identifier) instead of being
imported for one account: then each account gets its own snapshot (vendor only)."""

from fleetcare.fleet.importing.orm_writer import (  # noqa: F401
    _DEVICE_COLUMNS,
    Plan,
    _Writer,
    apply,
    plan_changes,
    retiring_accounts,
)
from fleetcare.fleet.importing.pg_writer import (  # noqa: F401
    _DEVICE_TYPES,
    _NULL,
    _STAGE,
    DirectWriter,
    _copy_text,
    accounts_with_devices,
    lock_references,
    restore_fk_triggers,
    skip_fk_triggers,
    use_direct_writing,
)
from fleetcare.fleet.importing.reading import (  # noqa: F401
    ACCOUNT_COLUMN,
    BATCH,
    COLUMNS,
    ERRORS_LISTED,
    HEADER_ALIASES,
    REQUIRED,
    ErrorLog,
    ImportRejected,
    _csv_rows,
    _err,
    _normalise_header,
    _TextRows,
    _xlsx_rows,
    check_file,
    count_data_rows,
    error_log,
    nul_errors,
    open_rows,
    rows_from_records,
    template_csv,
)
from fleetcare.fleet.importing.validation import (  # noqa: F401
    Analysis,
    Lookups,
    Parsed,
    _data_rows,
    _date,
    _Header,
    _is_blank,
    _other_account,
    _parse_row,
    _text,
    analyse,
    serials_of_other_accounts,
)
