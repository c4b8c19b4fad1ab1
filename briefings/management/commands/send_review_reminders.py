from django.core.management.base import BaseCommand

from briefings.reviews import ensure_scheduled, send_review_reminders


class Command(BaseCommand):
    help = (
        "Email the publishers this month's list of briefings due for review in the next 30 days (once a month: "
        "a second run sends nothing), and queue the worker's monthly task if none is waiting."
    )

    def handle(self, **options):
        emails = send_review_reminders()
        if emails:
            self.stdout.write(f"Queued the review list to {len(emails)} publisher(s); the worker sends it.")
        else:
            self.stdout.write("Nothing sent: this month's list has gone already, or nothing is due.")
        if ensure_scheduled():
            self.stdout.write("Queued the monthly task for the worker (manage.py db_worker).")
