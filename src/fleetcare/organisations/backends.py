"""The password backend: Django's, with the user's organisation read in the same query.

Every portal request needs the signed-in user's organisation (tenancy, menus, the
reader's currency) and the zone they read times in; reading both with the user saves
two queries per request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class OrganisationModelBackend(ModelBackend):
    def get_user(self, user_id):
        from fleetcare.organisations.models import User

        users = User.with_site_zone(
            get_user_model()._default_manager.select_related("organisation")
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
