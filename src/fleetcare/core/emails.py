"""E-mails in each recipient's own language and time zone: render ``<base>.txt`` and
``<base>_subject.txt`` under ``translation.override(recipient.language)`` and send.

Used by the event listeners (replacements, billing), which run after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from fleetcare.core.middleware import zone_of


def language_of(recipient: Any) -> str:
    language = (getattr(recipient, "language", "") or "en")[:2]
    return language if language in {code for code, _n in settings.LANGUAGES} else "en"


def absolute(path: str) -> str:
    return f"{settings.FLEETCARE_BASE_URL.rstrip('/')}{path}"


def send_to(recipients: Iterable[Any], template: str, context: dict[str, Any]) -> int:
    """One e-mail per distinct address, each in its recipient's language."""
    seen: set[str] = set()
    sent = 0
    for recipient in recipients:
        email = getattr(recipient, "email", "") if recipient is not None else ""
        if not email or email in seen or not getattr(recipient, "is_active", True):
            continue
        seen.add(email)
        ctx = {**context, "recipient": recipient}
        with translation.override(language_of(recipient)), timezone.override(zone_of(recipient)):
            subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
            body = render_to_string(f"{template}.txt", ctx).strip() + "\n"
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
        sent += 1
    return sent


def admins_of(organisation_ids: Iterable[int | None]) -> list[Any]:
    """The people who act for these organisations: customer IT admins, partners,
    distributors (active, with an address)."""
    from fleetcare.core.roles import Role
    from fleetcare.organisations.models import User

    ids = [i for i in organisation_ids if i]
    return list(
        User.objects.filter(
            organisation_id__in=ids,
            is_active=True,
            role__in=[Role.CUSTOMER_ADMIN, Role.PARTNER, Role.DISTRIBUTOR],
        )
        .exclude(email="")
        .order_by("id")
    )
