"""Vendor staff the billing tests act as."""

import pytest


@pytest.fixture
def agent(vendor_user):
    return vendor_user("support_agent", username="agent")


@pytest.fixture
def billing_user(vendor_user):
    return vendor_user("billing", username="billing")
