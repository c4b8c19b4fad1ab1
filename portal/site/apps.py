from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: pages and indexes built from every content app."""

    name = "portal.site"
    label = "site"
    verbose_name = "Site pages"

    def ready(self):
        from portal.site import signals

        signals.connect()
