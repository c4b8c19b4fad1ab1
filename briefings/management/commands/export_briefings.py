"""Export every briefing as a Markdown file with YAML front matter (the import format)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from briefings.importer import export_briefings


class Command(BaseCommand):
    help = "Write each briefing (drafts too) to DIR/<slug>.md in the import format."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")

    def handle(self, *args, directory, **options):
        written = export_briefings(directory)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} briefings to {directory}."))
