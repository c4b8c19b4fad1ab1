"""Write a portable backup: all content, history and staff accounts as JSON, plus the uploaded files."""

import json
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

# Everything a restore needs. Left out: what Django rebuilds (content types, permissions), sessions
# (people sign in again), login-attempt records, the search index (rebuilt after a restore) and
# imports waiting for confirmation. Team records, votes and alert subscribers are kept: a restore
# must not lose the evidence of the learning's reach or anyone's choice of emails.
INCLUDE = [
    "auth.group", "auth.user", "admin.logentry", "portal", "briefings", "training", "learning", "alerts", "pages",
    "site",
]  # fmt: skip
EXCLUDE = ["portal.searchdocument", "portal.searchdocumentfts", "briefings.importbatch"]
DATA, MEDIA, MANIFEST = "data.json", "media.tar.gz", "manifest.json"


class Command(BaseCommand):
    help = "Back up the database content (as JSON, any database) and MEDIA_ROOT into a new directory."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", help="Where to write the backup (default: backups/portal-YYYYMMDD-HHMMSS)."
        )

    def handle(self, *args, directory=None, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        target = Path(directory or Path("backups") / f"portal-{stamp}")
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty; choose a new directory so no backup is overwritten.")
        target.mkdir(parents=True, exist_ok=True)

        call_command(
            "dumpdata", *INCLUDE, exclude=EXCLUDE, natural_foreign=True, natural_primary=True,
            indent=1, output=str(target / DATA), verbosity=0,
        )  # fmt: skip
        media_files = 0
        with tarfile.open(target / MEDIA, "w:gz") as archive:
            for name in uploaded_files():
                # Read through the storage: on disk (MEDIA_ROOT) or in an object store alike.
                with default_storage.open(name, "rb") as file:
                    info = tarfile.TarInfo(name)
                    info.size = default_storage.size(name)
                    info.mtime = default_storage.get_modified_time(name).timestamp()
                    archive.addfile(info, file)
                media_files += 1
        records = json.loads((target / DATA).read_text())
        migrations = {}
        for app, name in MigrationRecorder.Migration.objects.values_list("app", "name").order_by("app", "name"):
            migrations[app] = name
        manifest = {
            "created": timezone.now().isoformat(),
            "records": len(records),
            "media_files": media_files,
            "migrations": migrations,
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Backed up {manifest['records']} records and {manifest['media_files']} files to {target}"
                )
            )
        return None


def uploaded_files():
    """Names of every uploaded file, sorted."""
    if isinstance(default_storage, FileSystemStorage):
        root = Path(settings.MEDIA_ROOT)
        if not root.is_dir():
            return []
        inside = root.resolve()
        # As the site serves them: a symlink leading out of MEDIA_ROOT is not an uploaded file.
        return sorted(
            str(path.relative_to(root))
            for path in root.rglob("*")
            if path.is_file() and path.resolve().is_relative_to(inside)
        )
    names, folders = [], [""]
    while folders:
        folder = folders.pop()
        subfolders, files = default_storage.listdir(folder)
        prefix = f"{folder}/" if folder else ""
        names += [prefix + name for name in files]
        folders += [prefix + name for name in subfolders]
    return sorted(names)
