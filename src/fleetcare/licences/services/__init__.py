"""Licence use cases (R-POR-1) and the premium flag (R-PE-8), one function each."""

from .licences import (
    ImportOutcome,
    LicenceImportRejected,
    create_licence,
    import_licences,
    licences_template_csv,
)
from .premium import PremiumStatus, premium_status

__all__ = [
    "ImportOutcome",
    "LicenceImportRejected",
    "PremiumStatus",
    "create_licence",
    "import_licences",
    "licences_template_csv",
    "premium_status",
]
