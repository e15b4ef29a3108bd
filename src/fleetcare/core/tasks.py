from celery import shared_task

from fleetcare.core import jobs


@shared_task(name="fleetcare.run_job")
def run_job(name: str) -> object:
    return jobs.run_job(name)


@shared_task(name="fleetcare.run_all_jobs")
def run_all_jobs() -> object:
    return jobs.run_all()


@shared_task(name="fleetcare.ping")
def ping(value: int) -> int:
    """Used to prove a real worker answers through the broker."""
    return value * 2
