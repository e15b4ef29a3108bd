"""The password backend: Django's, with the user's organisation read in the same query.

Every portal request needs the signed-in user's organisation (tenancy, menus, the
reader's currency), the zone they read times in and the programme kinds their
organisation takes (the menus); reading them with the user saves three queries per
request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class OrganisationModelBackend(ModelBackend):
    def get_user(self, user_id):
        from fleetcare.core.programmes import with_kinds_taken
        from fleetcare.organisations.models import User

        users = with_kinds_taken(
            User.with_site_zone(get_user_model()._default_manager.select_related("organisation"))
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
