"""What every request costs the database: the signed-in user comes with its organisation
in one query, and PostgreSQL plans the long select_related joins in the written order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fleetcare.organisations.backends import OrganisationModelBackend


def test_the_user_is_read_with_its_organisation(customer_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = OrganisationModelBackend().get_user(customer_user.pk)
        assert user.organisation.name == "Acme SA"


def test_an_inactive_or_unknown_user_is_nobody(customer_user):
    customer_user.is_active = False
    customer_user.save()
    assert OrganisationModelBackend().get_user(customer_user.pk) is None
    assert OrganisationModelBackend().get_user(10**9) is None


def test_a_portal_page_reads_session_user_and_organisation_once(client, customer_user):
    client.force_login(customer_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    # The page may list organisations; the signed-in user's own is never read alone.
    own = f'WHERE "organisations_organisation"."id" = {customer_user.organisation_id} '
    org_reads = [q for q in queries if own in q["sql"]]
    user_reads = [q for q in queries if 'FROM "organisations_user"' in q["sql"]]
    assert len(user_reads) == 1 and not org_reads


@pytest.mark.django_db
def test_postgresql_join_order_search_is_bounded():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with connection.cursor() as cur:
        cur.execute("SHOW join_collapse_limit")
        assert cur.fetchone()[0] == "4"
        cur.execute("SHOW from_collapse_limit")
        assert cur.fetchone()[0] == "4"
