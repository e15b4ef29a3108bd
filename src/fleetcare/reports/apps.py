from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fleetcare.reports"
    label = "reports"
