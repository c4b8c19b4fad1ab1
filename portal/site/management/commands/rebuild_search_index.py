"""Rebuild the site search index from the briefings, courses and resources in the database."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from portal.site import search


class Command(BaseCommand):
    help = (
        "Rebuild the search index from scratch. Saves in admin and imports keep it up to date; "
        "run this after restoring a backup, after bulk changes made in SQL, or if search results look stale."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        count = search.rebuild_index()
        if connection.vendor == "postgresql":
            # Fresh statistics let the planner see how many rows a word matches, so it reads the
            # GIN index instead of filtering every row (autovacuum would do this later, too late).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE portal_searchdocument")
        if options["verbosity"]:
            self.stdout.write(f"Indexed {count} items for search in {time.monotonic() - started:.1f} s.")
