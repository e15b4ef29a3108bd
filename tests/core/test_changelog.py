"""core.changelog: one entry per change, written only when the change went through."""

from __future__ import annotations

import pytest
from django.db import transaction

from fleetcare.core.changelog import bulk_changelog, changelog, log_changes
from fleetcare.core.models import ChangeLogEntry
from fleetcare.organisations.models import Site
from tests.factories import OrganisationFactory, SiteFactory


def _entries(obj):
    return list(ChangeLogEntry.objects.filter(object_id=str(obj.pk)).order_by("id"))


@pytest.mark.django_db
def test_changelog_writes_before_and_after_on_success(vendor_user):
    actor = vendor_user("support_agent")
    org = OrganisationFactory(name="Acme SA")
    with changelog(org, "organisation.renamed", actor=actor) as same:
        assert same is org
        org.name = "Acme Group"
        org.save()
    (entry,) = _entries(org)
    assert entry.action == "organisation.renamed"
    assert entry.actor == actor
    assert entry.before["name"] == "Acme SA"
    assert entry.after["name"] == "Acme Group"
    assert entry.object_repr == str(org)


@pytest.mark.django_db
def test_changelog_of_an_unsaved_object_has_no_before(customer):
    site = Site(organisation=customer, name="Lyon", country="FR", time_zone="Europe/Paris")
    with changelog(site, "site.created"):
        site.save()
    (entry,) = _entries(site)
    assert entry.before is None
    assert entry.after["name"] == "Lyon"
    assert entry.actor is None  # no signed-in person: a job or an anonymous caller


@pytest.mark.django_db
def test_changelog_writes_nothing_when_the_block_raises():
    org = OrganisationFactory(name="Acme SA")
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        changelog(org, "organisation.renamed"),
    ):
        org.name = "Half-saved"
        org.save()
        raise RuntimeError("refused")
    assert _entries(org) == []
    org.refresh_from_db()
    assert org.name == "Acme SA"


@pytest.mark.django_db
def test_changelog_writes_nothing_even_outside_a_transaction():
    org = OrganisationFactory(name="Acme SA")
    with pytest.raises(ValueError), changelog(org, "organisation.renamed"):
        raise ValueError("bad input")
    assert _entries(org) == []


@pytest.mark.django_db
def test_bulk_changelog_logs_existing_and_new_objects(customer, vendor_user):
    actor = vendor_user("vendor_admin")
    sites = [SiteFactory(organisation=customer, name=f"Site {i}") for i in range(3)]
    with bulk_changelog(sites, "site.renamed", actor=actor) as logged:
        for site in logged:
            site.name = site.name.upper()
        Site.objects.bulk_update(logged, ["name"])
        new = Site.objects.create(
            organisation=customer, name="Brand new", country="FR", time_zone="Europe/Paris"
        )
        logged.append(new)
    assert logged is sites and len(sites) == 4
    for i, site in enumerate(sites[:3]):
        (entry,) = _entries(site)
        assert entry.before["name"] == f"Site {i}"
        assert entry.after["name"] == f"SITE {i}"
        assert entry.actor == actor
    (entry,) = _entries(new)
    assert entry.before is None and entry.after["name"] == "Brand new"


@pytest.mark.django_db
def test_bulk_changelog_writes_nothing_when_the_block_raises(customer):
    sites = [SiteFactory(organisation=customer) for _ in range(3)]
    with pytest.raises(RuntimeError), bulk_changelog(sites, "site.renamed"):
        raise RuntimeError("refused")
    assert ChangeLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_bulk_changelog_is_one_insert_whatever_the_number(
    customer, django_assert_num_queries, vendor_user
):
    actor = vendor_user("vendor_admin")
    sites = [SiteFactory(organisation=customer) for _ in range(40)]
    Site.objects.first()  # warm the content-type cache
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Site)
    with (
        django_assert_num_queries(1),
        bulk_changelog(sites, "site.checked", actor=actor, describe=lambda s: s.name),
    ):
        for site in sites:
            site.name = f"Checked {site.pk}"  # (saved by the caller's own bulk_update)
    assert ChangeLogEntry.objects.filter(action="site.checked").count() == 40


@pytest.mark.django_db
def test_log_changes_refuses_an_unsaved_object(customer):
    with pytest.raises(ValueError, match="unsaved Site"):
        log_changes([Site(organisation=customer, name="x")], "site.created")


@pytest.mark.django_db
def test_a_block_that_changes_nothing_writes_nothing(customer):
    org = OrganisationFactory(name="Acme SA")
    with changelog(org, "organisation.renamed"):
        pass  # e.g. a service that returns early: nothing to do
    assert _entries(org) == []
    sites = [SiteFactory(organisation=customer) for _ in range(3)]
    with bulk_changelog(sites, "site.renamed"):
        sites[0].name = "Only this one"
        sites[0].save()
    assert ChangeLogEntry.objects.filter(action="site.renamed").count() == 1
