from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "fleetcare.support"
    label = "support"
