"""Restore a backup written by backup_site into an empty database."""

import json
import tarfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from briefings.models import Briefing, Theme
from portal.management.commands.backup_site import DATA, MANIFEST, MEDIA
from portal.media import clean_name
from training.models import Course


class Command(BaseCommand):
    help = "Restore a backup_site directory: migrate, load the content, unpack the uploaded files."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        source = Path(directory)
        for name in (DATA, MEDIA, MANIFEST):
            if not (source / name).is_file():
                raise CommandError(f"{source} is not a portal backup: {name} is missing.")
        call_command("migrate", interactive=False, verbosity=0)
        if any(m.objects.exists() for m in (Briefing, Theme, Course, get_user_model())):
            raise CommandError(
                "The database is not empty. Restore into a new, empty database (then point DATABASE_URL at it), "
                "so nothing in use is overwritten."
            )
        # The backup holds the history itself: loading must not add rows of its own (m2m links would).
        history_was = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
        settings.SIMPLE_HISTORY_ENABLED = False
        try:
            with transaction.atomic():
                call_command("loaddata", str(source / DATA), verbosity=0)
        finally:
            settings.SIMPLE_HISTORY_ENABLED = history_was
        with tarfile.open(source / MEDIA, "r:gz") as archive:
            if isinstance(default_storage, FileSystemStorage):
                media_root = Path(settings.MEDIA_ROOT)
                media_root.mkdir(parents=True, exist_ok=True)
                archive.extractall(media_root, filter="data")  # refuses absolute paths and ../
            else:
                restore_to_storage(archive)
        if "rebuild_search_index" in get_commands():
            call_command("rebuild_search_index", verbosity=0)
        manifest = json.loads((source / MANIFEST).read_text())
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored {manifest['records']} records and {manifest['media_files']} files "
                    f"from the backup of {manifest['created']}."
                )
            )


def restore_to_storage(archive):
    """Put each file back under its own name in an object store (the records point at those names)."""
    for member in archive.getmembers():
        if not member.isfile():
            continue
        if clean_name(member.name) is None:
            raise CommandError(f"The backup holds a file with an unsafe name: {member.name!r}.")
        if default_storage.exists(member.name):
            default_storage.delete(member.name)
        saved = default_storage.save(member.name, File(archive.extractfile(member), name=member.name))
        if saved != member.name:
            raise CommandError(f"{member.name} was stored as {saved}; the records would not find it.")
