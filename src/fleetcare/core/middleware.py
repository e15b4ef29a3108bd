import zoneinfo
from typing import Any

from django.conf import settings
from django.utils import timezone, translation


def zone_of(person: Any) -> zoneinfo.ZoneInfo:
    """The zone ``person`` reads times in (``User.effective_time_zone``; UTC for a
    shared mailbox or an unknown zone)."""
    name = getattr(person, "effective_time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class UserLanguageMiddleware:
    """Activate the signed-in user's saved language unless the session chose one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "language", "")
            and "django_language" not in request.COOKIES
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Activate the signed-in user's time zone (their setting, else their organisation's
    main site's zone): every time a page shows is in the reader's zone, zone named."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone_of(user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
