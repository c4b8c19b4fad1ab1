"""What goes to whom and when: publication dates ahead, sessions, digests, updates, batches, failures."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alerts import sending
from alerts.models import AlertEvent, Delivery, Subscriber
from briefings.models import Briefing
from mail.models import OutgoingEmail
from portal.publication import approve, submit_draft
from tests.factories import BriefingFactory, CourseFactory, SessionFactory, SubscriberFactory, ThemeFactory, UserFactory
from tests.trust.conftest import form_data, post_data

from .conftest import drain, text_part

# The worker closes its database connection when it is done, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def received(mailbox):
    return [(str(message["To"]), str(message["Subject"]).strip()) for _, _, message in mailbox.messages]


def test_a_briefing_dated_ahead_goes_when_it_becomes_public(smtp_settings):
    SubscriberFactory(email="reader@example.org")
    ahead = timezone.localdate() + datetime.timedelta(days=3)
    briefing = BriefingFactory(title="Embargoed", published=ahead)
    drain()
    assert smtp_settings.messages == []
    event = AlertEvent.objects.get(briefing=briefing)
    assert event.status == AlertEvent.Status.WAITING
    assert timezone.localtime(event.due).date() == ahead and timezone.localtime(event.due).hour == 8
    # The day comes: the hourly round (or the task queued for that moment) starts it.
    Briefing.objects.filter(pk=briefing.pk).update(published=timezone.localdate())
    AlertEvent.objects.filter(pk=event.pk).update(due=timezone.now())
    sending.run_tick()
    drain()
    assert received(smtp_settings) == [("reader@example.org", "New 7-minute briefing: Embargoed")]


def test_a_briefing_withdrawn_before_its_day_is_never_announced(smtp_settings):
    SubscriberFactory()
    briefing = BriefingFactory(published=timezone.localdate() + datetime.timedelta(days=3))
    briefing.withdraw()
    briefing.save()
    AlertEvent.objects.update(due=timezone.now())
    sending.run_tick()
    drain()
    assert smtp_settings.messages == []
    assert AlertEvent.objects.get(briefing=briefing).status == AlertEvent.Status.CANCELLED


def test_approving_a_submitted_draft_announces_it_once(smtp_settings):
    SubscriberFactory(email="reader@example.org")
    editor, publisher = UserFactory(), UserFactory(superuser=True)
    draft = BriefingFactory(title="Signed off", draft=True)
    revision = submit_draft(draft, editor)
    approve(revision, publisher)
    draft.refresh_from_db()
    draft.save()  # a later save of the published briefing: not news
    drain()
    alerts = [subject for to, subject in received(smtp_settings) if to == "reader@example.org"]
    assert alerts == ["New 7-minute briefing: Signed off"]


def test_new_sessions_saved_together_go_in_one_email(smtp_settings):
    theme = ThemeFactory(name="Child neglect", slug="child-neglect")
    SubscriberFactory(email="reader@example.org", themes=[theme])
    SubscriberFactory(email="briefings-only@example.org", new_sessions=False)
    course = CourseFactory(title="Graded Care Profile 2", themes=[theme])
    with transaction.atomic():
        SessionFactory(course=course, days=10)
        SessionFactory(course=course, days=20, is_online=True)
    SessionFactory(course=CourseFactory(title="Not followed"), days=5)
    drain()
    (message,) = [message for _, _, message in smtp_settings.messages]
    assert message["To"] == "reader@example.org"
    assert message["Subject"] == "New training dates: Graded Care Profile 2"
    assert text_part(message).count("\n- ") == 2 and "online" in text_part(message)


def test_weekly_subscribers_get_one_digest_on_monday(smtp_settings):
    SubscriberFactory(email="weekly@example.org", frequency=Subscriber.Frequency.WEEKLY)
    SubscriberFactory(email="instant@example.org")
    BriefingFactory(title="First")
    BriefingFactory(title="Second")
    drain()
    assert sorted(received(smtp_settings)) == [
        ("instant@example.org", "New 7-minute briefing: First"),
        ("instant@example.org", "New 7-minute briefing: Second"),
    ]
    next_monday = sending.digest_window(timezone.now())[1] + datetime.timedelta(days=7, minutes=5)
    sending.run_tick(next_monday)
    sending.run_tick(next_monday + datetime.timedelta(hours=1))  # the next hour's round adds nothing
    drain()
    digests = [m for _, _, m in smtp_settings.messages if m["To"] == "weekly@example.org"]
    assert len(digests) == 1
    assert digests[0]["Subject"].endswith(": 2 updates")
    assert "First" in text_part(digests[0]) and "Second" in text_part(digests[0])


def test_an_update_goes_only_when_a_publisher_ticks_tell_subscribers(smtp_settings, chief_client):
    SubscriberFactory(email="updates@example.org", updated_briefings=True)
    SubscriberFactory(email="new-only@example.org")
    briefing = BriefingFactory(title="Living document")
    drain()
    assert len(smtp_settings.messages) == 2
    url = f"/admin/briefings/briefing/{briefing.pk}/change/"

    data = form_data(chief_client.get(url), "briefing_form")
    data["summary"] = ["A typo fixed."]
    assert chief_client.post(url, post_data(data)).status_code == 302
    drain()
    assert len(smtp_settings.messages) == 2  # a correction: nobody is told

    data = form_data(chief_client.get(url), "briefing_form")
    data["summary"] = ["New guidance added."]
    data["tell_subscribers"] = ["on"]
    assert chief_client.post(url, post_data(data)).status_code == 302
    drain()
    assert received(smtp_settings)[2:] == [("updates@example.org", "Updated briefing: Living document")]


def test_batches_respect_the_rate(smtp_settings, settings):
    settings.ALERT_EMAILS_PER_MINUTE = 2
    for n in range(5):
        SubscriberFactory(email=f"reader{n}@example.org")
    briefing = BriefingFactory()
    event = AlertEvent.objects.get(briefing=briefing)
    sending.start_event.call(event.pk)
    sending.send_batch.call(event.pk)
    assert OutgoingEmail.objects.count() == 2
    later = DBTaskResult.objects.filter(task_path=sending.send_batch.module_path, status="READY")
    assert [task.run_after > timezone.now() + datetime.timedelta(seconds=50) for task in later] == [True, True]
    sending.send_batch.call(event.pk)
    sending.send_batch.call(event.pk)
    assert OutgoingEmail.objects.count() == 5
    sending.send_batch.call(event.pk)  # a duplicate task finds nothing left
    assert OutgoingEmail.objects.count() == 5
    assert AlertEvent.objects.get().status == AlertEvent.Status.DONE


def test_starting_twice_adds_no_delivery(smtp_settings):
    SubscriberFactory()
    event = AlertEvent.objects.get(briefing=BriefingFactory())
    sending.start_event.call(event.pk)
    AlertEvent.objects.filter(pk=event.pk).update(status=AlertEvent.Status.WAITING)
    assert sending.fan_out(AlertEvent.objects.get(pk=event.pk)) == 0
    assert Delivery.objects.count() == 1


def test_a_temporary_refusal_is_retried_and_arrives_once(smtp_settings):
    smtp_settings.refuse_next = 1
    SubscriberFactory(email="reader@example.org")
    BriefingFactory()
    drain()
    assert len(smtp_settings.messages) == 1 and smtp_settings.refused == 1


def test_a_permanent_refusal_stops_mail_to_that_address(smtp_settings):
    subscriber = SubscriberFactory(email="gone@example.org")
    smtp_settings.reject_all = True
    BriefingFactory()
    drain()
    subscriber.refresh_from_db()
    assert subscriber.suppressed_at is not None and "550" in subscriber.suppressed_reason
    smtp_settings.reject_all = False
    BriefingFactory()
    drain()
    assert smtp_settings.messages == []
