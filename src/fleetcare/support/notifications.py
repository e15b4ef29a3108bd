"""E-mails about cases, in each recipient's language (English or French).

Templates: ``support/email/<kind>.txt`` and ``<kind>_subject.txt``. Mail leaves
after the transaction commits, so a rolled-back change sends nothing. The queue
address is ``settings.FLEETCARE_SUPPORT_QUEUE_EMAIL`` (default below), in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from fleetcare.core.middleware import zone_of

DEFAULT_QUEUE_EMAIL = "support-queue@fleetcare.local"
KINDS = ("created", "reply", "breach_warning", "escalated", "solved")


@dataclass
class QueueRecipient:
    """The agents' queue as a recipient (a shared mailbox)."""

    email: str
    language: str = "en"
    username: str = "support queue"

    def get_full_name(self) -> str:
        return "Support queue"


def queue_recipient() -> QueueRecipient:
    return QueueRecipient(getattr(settings, "FLEETCARE_SUPPORT_QUEUE_EMAIL", DEFAULT_QUEUE_EMAIL))


def case_url(case: Any) -> str:
    base = getattr(settings, "FLEETCARE_BASE_URL", "").rstrip("/")
    return f"{base}{reverse('support:case_detail', args=[case.pk])}"


def render_email(kind: str, recipient: Any, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) for one recipient, rendered in their language."""
    if kind not in KINDS:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    language = (getattr(recipient, "language", "") or "en")[:2]
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = "en"
    ctx = {**context, "recipient": recipient}
    with translation.override(language), timezone.override(zone_of(recipient)):
        subject = render_to_string(f"support/email/{kind}_subject.txt", ctx)
        body = render_to_string(f"support/email/{kind}.txt", ctx)
    return " ".join(subject.split()), body.strip() + "\n"


def notify(kind: str, case: Any, recipients: list[Any], **context: Any) -> None:
    """Send ``kind`` to each distinct recipient with an address, after commit."""
    seen: set[str] = set()
    messages: list[tuple[str, str, str]] = []
    ctx = {"case": case, "url": case_url(case), **context}
    for recipient in recipients:
        email = getattr(recipient, "email", "") if recipient is not None else ""
        if not email or email in seen:
            continue
        seen.add(email)
        subject, body = render_email(kind, recipient, ctx)
        messages.append((subject, body, email))

    def _send() -> None:
        for subject, body, email in messages:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)

    if messages:
        transaction.on_commit(_send)
