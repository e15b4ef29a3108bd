from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fleetcare.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from fleetcare.core import jobs

        jobs.autodiscover()
