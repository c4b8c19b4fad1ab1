from django.apps import AppConfig


class PortalConfig(AppConfig):
    verbose_name = "Site"
    name = "portal"

    def ready(self):
        from django.db.models.signals import pre_save

        from portal import cache, markdown, publication, versions

        versions.connect()
        publication.connect()
        cache.connect_signals()
        pre_save.connect(markdown.render_before_save, dispatch_uid="markdown-render")
