from django.core.management.base import BaseCommand

from alerts.sending import ensure_scheduled, run_tick


class Command(BaseCommand):
    help = (
        "Run the email alerts' hourly round now (start alerts that are due, resume interrupted sends, erase "
        "addresses never confirmed within a week, start the Monday digest), and queue the worker's hourly task "
        "if none is waiting."
    )

    def handle(self, **options):
        erased = run_tick()
        self.stdout.write(f"Alerts round done; {erased} unconfirmed address(es) erased.")
        if ensure_scheduled():
            self.stdout.write("Queued the hourly alerts task for the worker (manage.py db_worker).")
