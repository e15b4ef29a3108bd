"""The password backend: Django's, with the user's organisation read in the same query.

Every portal request needs the signed-in user's organisation (tenancy, menus, the
reader's currency), the zone they read times in and the programme kinds their
organisation takes (the menus); reading them with the user saves three queries per
request."""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import QuerySet


class OrganisationModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = _session_users().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def _session_users() -> QuerySet:
    """The users with their organisation, site zone and programme kinds: built once per
    set of known programme codes (building its four subqueries cost more than running
    the query), then filtered per request."""
    from fleetcare.core.programmes import ProgrammeKind, codes

    return _users_for(tuple(tuple(codes(kind)) for kind in ProgrammeKind.values))


@lru_cache(maxsize=1)
def _users_for(known_codes: tuple[tuple[str, ...], ...]) -> QuerySet:
    from fleetcare.core.programmes import with_kinds_taken
    from fleetcare.organisations.models import User

    return with_kinds_taken(
        User.with_site_zone(get_user_model()._default_manager.select_related("organisation"))
    )
