"""Who may act on the catalogue's software: publish files, download them (R-POR-1)."""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import has_role, permission
from fleetcare.core.roles import Role


@permission("catalog.publish_software")
def can_publish_software(user: Any, obj: Any = None) -> bool:
    """Publish firmware releases and documents (with their files): the vendor
    administrator and service operations."""
    return has_role(user, Role.SERVICE_OPERATIONS)


@permission("catalog.download")
def can_download(user: Any, product_model: Any = None) -> bool:
    """Download a model's firmware and documents: vendor staff always; otherwise an
    account-wide contract in force, or a device term in force for the model, whose
    programme brings software updates (``catalog.entitlement.download_decision``)."""
    from fleetcare.catalog.entitlement import download_decision

    if product_model is None:
        return False
    return download_decision(user, product_model).entitled
