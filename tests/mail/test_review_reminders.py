"""Once a month the publishers get one list of the briefings due for review (worker task and command)."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from briefings import reviews
from mail.models import OutgoingEmail
from tests.factories import BriefingFactory
from tests.mail.test_outbox import run_worker

# The worker closes its database connection when it is done, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def publishers(db):
    """Two who may publish (a permission of their own, or a superuser), one editor, one publisher with no address."""
    users = get_user_model().objects
    publish = Permission.objects.get(content_type__app_label="briefings", codename="publish_briefing")
    users.create_user("publisher", "publisher@example.org", "a-long-test-password").user_permissions.add(publish)
    users.create_superuser("pubtwo", "pubtwo@example.org", "a-long-test-password")
    users.create_user("editor", "editor@example.org", "a-long-test-password", is_staff=True)
    users.create_user("noaddress", "", "a-long-test-password").user_permissions.add(publish)


def test_the_command_emails_each_publisher_one_list_once_a_month(publishers, smtp_settings):
    BriefingFactory(title="Due in a week", sections=0, review_due=days(7))
    BriefingFactory(title="Due next quarter", sections=0, review_due=days(90))
    BriefingFactory(title="Already late", sections=0, review_due=days(-2))
    out = io.StringIO()
    call_command("send_review_reminders", stdout=out)
    assert "2 publisher(s)" in out.getvalue()
    call_command("send_review_reminders", stdout=io.StringIO())  # the same month: nothing more
    run_worker()
    messages = smtp_settings.wait_for(2)
    assert len(smtp_settings.messages) == 2
    assert sorted(rcpt[0] for _, rcpt, _ in smtp_settings.messages) == ["publisher@example.org", "pubtwo@example.org"]
    body = messages[0].get_body(("plain",)).get_content()
    assert "Due in a week" in body and "Already late" in body and "Due next quarter" not in body
    assert body.index("Due in a week") < body.index("Already late")


def test_the_worker_task_sends_once_and_queues_next_month(publishers, smtp_settings):
    BriefingFactory(title="Due in a week", sections=0, review_due=days(7))
    assert reviews.ensure_scheduled() is True
    assert reviews.ensure_scheduled() is False  # one waiting task is enough
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    smtp_settings.wait_for(2)
    waiting = DBTaskResult.objects.filter(status="READY", task_path=reviews.send_monthly_review_reminders.module_path)
    assert waiting.count() == 1
    first_of_next_month = (days(0).replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    assert timezone.localdate(waiting.get().run_after) == first_of_next_month
    # The command later in the month finds this month's list sent.
    call_command("send_review_reminders", stdout=io.StringIO())
    assert OutgoingEmail.objects.count() == 2


def test_nothing_due_sends_nothing(publishers, smtp_settings):
    BriefingFactory(sections=0, review_due=days(90))
    BriefingFactory(sections=0, draft=True, published=None)
    assert reviews.send_review_reminders() == []
    assert not OutgoingEmail.objects.exists()
