from django.apps import AppConfig


class PortalConfig(AppConfig):
    verbose_name = "Site"
    name = "portal"

    def ready(self):
        from portal import cache, publication, versions

        versions.connect()
        publication.connect()
        cache.connect_signals()
