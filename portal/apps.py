from django.apps import AppConfig


class PortalConfig(AppConfig):
    verbose_name = "Site"
    name = "portal"
