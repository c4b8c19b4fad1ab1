from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils import timezone

from mail.outbox import send_mail_later

BODY = """This is a test email from {site}, sent {when}.

If you can read it, the site's email settings (EMAIL_URL) and its background worker
(manage.py db_worker) work.
"""
HTML = """<p>This is a test email from <strong>{site}</strong>, sent {when}.</p>
<p>If you can read it, the site's email settings (<code>EMAIL_URL</code>) and its background worker
(<code>manage.py db_worker</code>) work.</p>
"""


class Command(BaseCommand):
    help = "Queue a test email (plain text and HTML) to ADDRESS; the background worker sends it."

    def add_arguments(self, parser):
        parser.add_argument("address")

    def handle(self, address, **options):
        try:
            validate_email(address)
        except ValidationError:
            raise CommandError(f"{address!r} is not an email address.") from None
        from portal.models import SiteSettings

        site = SiteSettings.cached().partnership_name
        when = timezone.localtime().strftime("%-d %B %Y at %H:%M")
        email = send_mail_later(
            f"Test email from {site}",
            BODY.format(site=site, when=when),
            [address],
            html=HTML.format(site=site, when=when),
        )
        self.stdout.write(f"Queued test email {email.pk} to {address}; the worker (manage.py db_worker) sends it.")
