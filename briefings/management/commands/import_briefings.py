"""Import briefings from Markdown files with YAML front matter (the format in README "Briefings: import and export")."""

from django.core.management.base import BaseCommand, CommandError

from briefings.importer import MAX_FILE_SIZE, find_files, import_file


class Command(BaseCommand):
    help = "Create or update briefings from .md files or directories of them. A bad file is skipped whole."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")

    def handle(self, *args, paths, **options):
        verbosity = options["verbosity"]
        files = find_files(paths)
        failed, seen = 0, {}
        for path in files:
            try:
                if path.stat().st_size > MAX_FILE_SIZE:
                    self.stderr.write(f"{path}: file: is larger than 1 MB; is it really a briefing?")
                    failed += 1
                    continue
                raw = path.read_bytes()
            except OSError as error:
                self.stderr.write(f"{path}: cannot be read ({error.strerror})")
                failed += 1
                continue
            result = import_file(str(path), raw, seen=seen)
            if result.ok:
                if verbosity:
                    self.stdout.write(f"{path}: {result.action} ({result.slug})")
                for warning in result.warnings:
                    self.stderr.write(self.style.WARNING(f"{path}: warning: {warning}"))
            else:
                failed += 1
                self.stderr.write(result.error)
        if not files:
            raise CommandError("No .md files found in " + ", ".join(paths))
        if failed:
            others = "nothing was imported" if failed == len(files) else "the other files were imported"
            raise CommandError(f"{failed} of {len(files)} files were not imported (see above); {others}.")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Imported {len(files)} file(s)."))
