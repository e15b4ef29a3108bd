from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "fleetcare.contracts"
    label = "contracts"
