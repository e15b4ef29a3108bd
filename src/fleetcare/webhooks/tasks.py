"""The Celery task that sends a webhook delivery, retrying with exponential back-off.

With a broker, a failed attempt schedules the next one ``backoff(attempts)`` later
(30 s, 1 min, 2 min … up to 9 attempts). Without one (the embedded default, where tasks
run in-process) the first attempt runs at once and the retries are left to the
periodic job ``webhooks.retry_due`` (``fleetcare jobs run``), so a dead receiver never
makes a request wait through its back-off.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import delivery
from .models import DeliveryStatus


@shared_task(name="fleetcare.webhooks.send_delivery", bind=True, max_retries=delivery.MAX_ATTEMPTS)
def send_delivery(self, delivery_id: int) -> str | None:
    result = delivery.attempt(delivery_id)
    if result is None:
        return None
    if result.status == DeliveryStatus.RETRYING and not settings.CELERY_TASK_ALWAYS_EAGER:
        countdown = delivery.backoff(result.attempts).total_seconds()
        raise self.retry(countdown=countdown)
    return result.status
