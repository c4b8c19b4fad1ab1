"""Load the demo content in fixtures/: safe to run again, it updates rather than duplicates."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from briefings.demo import ensure_professional_groups, feature_theme_of_the_month
from learning.demo import load_learning_demo
from pages.demo import load_pages
from training.demo import load_training

FIXTURES = settings.BASE_DIR / "fixtures"


class Command(BaseCommand):
    help = "Load the demo content (themes, courses and sessions, briefings, partnership pages) from fixtures/."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", type=Path, default=FIXTURES)
        parser.add_argument(
            "--demo-users", action="store_true", help="Also create demo editor and publisher accounts (DEBUG only)."
        )

    def handle(self, *args, fixtures, demo_users, **options):
        verbosity = options["verbosity"]
        with transaction.atomic():
            # 1. Themes, themes of the month and site settings (JSON, fixed keys).
            json_files = sorted(str(p) for p in fixtures.glob("*.json"))
            if json_files:
                call_command("loaddata", *json_files, verbosity=verbosity)
            feature_theme_of_the_month()  # dated from today, so never stale
            # 2. Courses and sessions; session dates are relative to today so the demo never goes stale.
            training_file = fixtures / "training.yaml"
            if training_file.exists():
                load_training(training_file)
            # 3. Briefings in the import format; they link to the courses above.
            briefings_dir = fixtures / "briefings"
            if briefings_dir.is_dir():
                ensure_professional_groups(briefings_dir)
                call_command("import_briefings", str(briefings_dir), verbosity=verbosity)
            # 4. A year of team records, follow-up answers and votes, so the reach report has something to show.
            load_learning_demo()
            # 5. The partnership's own pages (About us, Contact), published and in the navigation.
            pages_file = fixtures / "pages.yaml"
            if pages_file.exists():
                load_pages(pages_file)
        if demo_users:
            self.create_demo_users()

    def create_demo_users(self):
        if not settings.DEBUG:
            self.stderr.write("Demo accounts are only created when DEBUG is on.")
            return
        password = secrets.token_urlsafe(12)
        User = get_user_model()
        for username, group in [("editor", "Editor"), ("publisher", "Publisher")]:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name=group))
        self.stdout.write(
            "Demo accounts (DEBUG only): 'editor' (can edit) and 'publisher' (can publish), "
            f"password {password}\nLog in at http://127.0.0.1:8000/admin/"
        )
