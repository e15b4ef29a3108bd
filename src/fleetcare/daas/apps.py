from django.apps import AppConfig


class DaasConfig(AppConfig):
    name = "fleetcare.daas"
    label = "daas"
