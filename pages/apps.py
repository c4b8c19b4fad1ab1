from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Partnership pages"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from portal import cache

        from .models import Page

        # The page cache and the navigation (pages.navigation) follow every change to a page.
        post_save.connect(cache.invalidate, sender=Page, dispatch_uid="page-cache-save-pages.Page")
        post_delete.connect(cache.invalidate, sender=Page, dispatch_uid="page-cache-delete-pages.Page")
