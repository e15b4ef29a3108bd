"""The Celery app. Without CELERY_BROKER_URL tasks run in-process (always eager).

Workers: ``celery -A fleetcare.config worker``. The periodic jobs on their schedule
(``fleetcare.core.jobs.SCHEDULE``): ``celery -A fleetcare.config beat``. One beat is
enough; a second one is harmless, since a job never runs twice at once (``run_job``
takes a lock per job).
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleetcare.config.settings")

app = Celery("fleetcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.import_modules.connect
def _schedule_periodic_jobs(sender=None, **kwargs):
    """The beat schedule, one entry per registered job.

    Celery sends ``import_modules`` when a worker or beat loads its modules, after its
    Django fix-up has set Django up (connected first), so every app's jobs are
    registered by now, and before beat builds its scheduler from ``beat_schedule``.
    """
    from fleetcare.core import jobs

    app.conf.beat_schedule = {**jobs.beat_schedule(), **(app.conf.beat_schedule or {})}
