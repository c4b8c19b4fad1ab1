from django.core.management.base import BaseCommand

from learning.housekeeping import ensure_scheduled, run_round


class Command(BaseCommand):
    help = (
        "Run the daily round for team records now (follow-up emails due, expired follow-up links, erasing free text "
        "and addresses older than the retention period in site settings), and queue the worker's daily task if none "
        "is waiting."
    )

    def handle(self, **options):
        self.stdout.write(f"Team records: {run_round()}.")
        if ensure_scheduled():
            self.stdout.write("Queued the daily task for the worker (manage.py db_worker).")
