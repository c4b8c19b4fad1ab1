from django.apps import AppConfig


class PortalConfig(AppConfig):
    verbose_name = "Site"
    name = "portal"

    def ready(self):
        from portal import cache, versions

        versions.connect()
        cache.connect_signals()
