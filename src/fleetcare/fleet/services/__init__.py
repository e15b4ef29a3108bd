"""Fleet use cases: inventory imports and pushes, registering a device, coverage, counts.

Every import is an :class:`InventorySnapshot` (R-FLT-2) and is all or nothing
(R-FLT-4). Sending the same file or batch twice returns the first snapshot and
changes nothing. Imports of more than ``ASYNC_THRESHOLD`` rows run as a Celery task
(in-process when no broker is configured) with progress on the snapshot."""

from fleetcare.fleet.services.access import (  # noqa: F401
    FLEET_VENDOR_ROLES,
    may_manage_fleet,
    require_fleet_manager,
)
from fleetcare.fleet.services.compliance import (  # noqa: F401
    Compliance,
    ComplianceRow,
    compliance,
    device_firmware,
    record_firmware_versions,
)
from fleetcare.fleet.services.counts import (  # noqa: F401
    CategoryCount,
    category_counts_at,
    latest_model_counts,
    latest_snapshot,
    latest_snapshot_ids,
    monthly_category_history,
)
from fleetcare.fleet.services.coverage import (  # noqa: F401
    REASONS,
    Coverage,
    coverage_for,
    coverage_for_many,
)
from fleetcare.fleet.services.error_reports import (  # noqa: F401
    report_csv,
    report_for,
    save_report,
)
from fleetcare.fleet.services.exports import (  # noqa: F401
    EXPORT_FORMATS,
    export_devices,
)
from fleetcare.fleet.services.imports import (  # noqa: F401
    _IMPORT_LOCK,
    ASYNC_THRESHOLD,
    ImportOutcome,
    _check_as_of,
    _existing,
    _import_direct,
    _import_now,
    _lock_accounts,
    _Refused,
    file_checksum,
    import_file,
    run_snapshot_import,
)
from fleetcare.fleet.services.liveness import (  # noqa: F401
    BrokerUnavailable,
    mark_stale_imports,
)
from fleetcare.fleet.services.previews import (  # noqa: F401
    Preview,
    PreviewLine,
    preview_file,
)
from fleetcare.fleet.services.pushes import push_inventory  # noqa: F401
from fleetcare.fleet.services.registration import (  # noqa: F401
    register_device,
)
from fleetcare.fleet.services.retire_guard import (  # noqa: F401
    RetireNotConfirmed,
    over_share,
)
from fleetcare.fleet.services.snapshot_writing import (  # noqa: F401
    _log_many,
    _write_counts,
    _write_snapshots,
)
from fleetcare.fleet.services.uploads import (  # noqa: F401
    _check_file_name,
    _sha256_file,
    discard_upload,
    local_path,
    store_upload,
)
