from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "fleetcare.billing"
    label = "billing"
