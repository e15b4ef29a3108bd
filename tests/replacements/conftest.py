"""Vendor staff the replacement tests act as."""

import pytest


@pytest.fixture
def agent(vendor_user):
    return vendor_user("support_agent", username="agent")


@pytest.fixture
def ops(vendor_user):
    return vendor_user("service_operations", username="ops")


@pytest.fixture
def billing_user(vendor_user):
    return vendor_user("billing", username="billing")
