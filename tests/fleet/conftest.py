from __future__ import annotations

import pytest

from tests.factories import CategoryFactory, ProductModelFactory
from tests.fleet.helpers import api, video_model


@pytest.fixture
def models(db):
    from datetime import date

    return {
        "video": video_model(sku="STUDIO-X50", name="Studio X50"),
        "voice": ProductModelFactory(
            sku="CCX-500", name="CCX 500", category=CategoryFactory(code="voice")
        ),
        "immersive": ProductModelFactory(
            sku="ITP-1",
            name="Immersive Room",
            category=CategoryFactory(code="immersive_telepresence"),
        ),
        "old": ProductModelFactory(
            sku="VVX-300",
            name="VVX 300",
            category=CategoryFactory(code="voice"),
            end_of_support_on=date(2025, 6, 1),
        ),
    }


@pytest.fixture
def admin_api(customer_user):
    return api(customer_user)


@pytest.fixture
def csm(vendor_user):
    return vendor_user("csm")
