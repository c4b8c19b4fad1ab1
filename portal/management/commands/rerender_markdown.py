"""Render every stored Markdown field again: after the renderer or its allow-list changed, or content changed in SQL."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal import cache
from portal.markdown import RENDERER_VERSION, RenderedMarkdown, rerender, rerendered


def rendered_models():
    return [model for model in apps.get_models() if issubclass(model, RenderedMarkdown)]


class Command(BaseCommand):
    help = (
        "Render the Markdown fields of every briefing section, question, theme, course and the site "
        "settings again and store the HTML. Saves keep it up to date; run this after changing the "
        "renderer (portal.markdown.RENDERER_VERSION) or changing Markdown with SQL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-only",
            action="store_true",
            help="Only rows whose HTML was made by another renderer version (quick after an upgrade).",
        )

    def handle(self, *args, stale_only=False, **options):
        total = 0
        with transaction.atomic():
            for model in rendered_models():
                rows = model._base_manager.all()
                if stale_only:
                    rows = rows.exclude(markdown_version=RENDERER_VERSION)
                count = rerender(rows)
                total += count
                if options["verbosity"] > 1:
                    self.stdout.write(f"{model._meta.label}: {count} rows changed")
            for receiver, count in rerendered.send(sender=self.__class__, stale_only=stale_only):
                if options["verbosity"] > 1:
                    self.stdout.write(f"{receiver.__module__}: {count} items rendered")
            if total:
                cache.invalidate()
        if options["verbosity"]:
            self.stdout.write(f"Rendered Markdown again: {total} rows changed (renderer version {RENDERER_VERSION}).")
