"""schemathesis on the whole OpenAPI: every operation, as the vendor administrator and as a
customer IT admin, finds no server error and no undocumented status code.

Bounded so that it stays a few minutes on SQLite and PostgreSQL: a few derandomised examples
per operation (positive and negative generation). ``FLEETCARE_SCHEMATHESIS_EXAMPLES=50``
explores further by hand.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from fleetcare.config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
EXAMPLES = int(os.environ.get("FLEETCARE_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the WSGI handler must not close the test's database
    connection (PostgreSQL would lose the test transaction) between requests."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, vendor_user, customer_user, daas_customer, partner_user):
    from fleetcare.organisations.models import ApiToken

    return {
        "admin": ApiToken.issue(vendor_user("vendor_admin"), "st")[1],
        "customer": ApiToken.issue(customer_user, "st")[1],
    }


@pytest.mark.parametrize("who", ["admin", "customer"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_nor_undocumented_status(case, who, tokens):
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[who]}"}, checks=CHECKS)
