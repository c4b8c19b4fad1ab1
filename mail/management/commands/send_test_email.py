from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from mail.outbox import send_test_email


class Command(BaseCommand):
    help = "Queue a test email (plain text and HTML) to ADDRESS; the background worker sends it."

    def add_arguments(self, parser):
        parser.add_argument("address")

    def handle(self, address, **options):
        try:
            validate_email(address)
        except ValidationError:
            raise CommandError(f"{address!r} is not an email address.") from None
        email = send_test_email(address)
        self.stdout.write(f"Queued test email {email.pk} to {address}; the worker (manage.py db_worker) sends it.")
