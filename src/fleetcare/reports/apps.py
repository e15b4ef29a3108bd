from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "fleetcare.reports"
    label = "reports"

    def ready(self) -> None:
        from fleetcare.portal.context import register

        from .permissions import can_browse_monthly_report

        register("reports:monthly", _("Monthly report"), visible=can_browse_monthly_report)
