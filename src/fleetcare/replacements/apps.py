from django.apps import AppConfig


class ReplacementsConfig(AppConfig):
    name = "fleetcare.replacements"
    label = "replacements"
