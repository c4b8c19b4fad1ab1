"""The subscribe pages: double opt-in, private pages, links that expire, abuse limits, nothing revealed."""

import datetime
import time

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from alerts import limits, sending, subscriptions
from alerts.models import Subscriber
from mail.models import OutgoingEmail
from tests.factories import BriefingFactory, CourseFactory, SubscriberFactory, ThemeFactory

pytestmark = pytest.mark.django_db

CHOICES = {"new_briefings": "on", "new_sessions": "on", "frequency": "instant", "everything": "on"}


def subscribe(client, address, ip="192.0.2.1", **extra):
    return client.post("/alerts/", {"email": address, **CHOICES, **extra}, REMOTE_ADDR=ip)


def test_every_page_that_should_links_to_email_updates_and_its_feed(client):
    theme = ThemeFactory(name="Child neglect", slug="child-neglect")
    course = CourseFactory(title="Neglect basics")
    BriefingFactory()
    pages = {
        "/": "/feeds/briefings/",
        "/briefings/": "/feeds/briefings/",
        "/themes/child-neglect/": "/feeds/themes/child-neglect/",
        "/training/": None,
        course.get_absolute_url(): None,
    }
    for path, feed in pages.items():
        html = client.get(path).content.decode()
        assert ">Get email updates</a>" in html, path
        if feed:
            assert f'href="{feed}">RSS</a>' in html, path
    assert 'href="/alerts/?theme=child-neglect"' in client.get(theme.get_absolute_url()).content.decode()


def test_the_link_leaves_the_page_cacheable_and_the_form_page_is_private(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    ThemeFactory(name="Child neglect", slug="child-neglect")
    first = client.get("/themes/child-neglect/")
    assert "private" not in first.get("Cache-Control", "") and not first.cookies
    form = client.get("/alerts/?theme=child-neglect")
    assert "private" in form["Cache-Control"] and "no-store" in form["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()
    again = Client().get("/alerts/?theme=child-neglect")
    assert again.content != form.content  # rendered afresh (its own token), never served from the page cache


def test_the_theme_link_ticks_that_theme(client):
    theme = ThemeFactory(name="Child neglect", slug="child-neglect")
    html = client.get("/alerts/?theme=child-neglect").content.decode()
    assert f'value="{theme.pk}"' in html
    checked = html.split(f'value="{theme.pk}"')[1].split(">")[0]
    assert "checked" in checked


def test_subscribing_records_an_unconfirmed_address_and_queues_only_the_confirmation(client):
    ThemeFactory(name="Child neglect", slug="child-neglect")
    response = subscribe(client, "  Someone@Example.ORG ")
    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "someone@example.org" and subscriber.confirmed_at is None
    (email,) = OutgoingEmail.objects.all()
    assert email.to == ["someone@example.org"] and "/alerts/confirm/" in email.body
    BriefingFactory(title="Not yet")
    assert OutgoingEmail.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not an address", **CHOICES}, "Enter a valid email address."),
        ({"email": "a@example.org", "new_briefings": "on", "frequency": "instant"}, "Choose at least one theme"),
        ({"email": "a@example.org", "everything": "on", "frequency": "instant"}, "Choose at least one kind of news"),
        ({"email": "a@example.org\nBcc: x@example.org", **CHOICES}, "Enter a valid email address."),
        ({"email": "a@example.org", **CHOICES, "frequency": "hourly"}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, data, message):
    response = client.post("/alerts/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists() and not OutgoingEmail.objects.exists()


def test_one_email_a_day_per_address_with_a_clear_refusal(client):
    assert subscribe(client, "target@example.org").status_code == 200
    refused = subscribe(client, "TARGET@example.org", ip="198.51.100.7")
    assert refused.status_code == 429
    assert "already sent an email to this address in the last 24 hours" in refused.content.decode()
    assert OutgoingEmail.objects.count() == 1
    # A day later, one more.
    Subscriber.objects.update(asked_at=timezone.now() - datetime.timedelta(hours=25))
    assert subscribe(client, "target@example.org").status_code == 200
    assert OutgoingEmail.objects.count() == 2


def test_one_ip_cannot_flood_many_addresses(client):
    for n in range(limits.PER_IP_PER_HOUR):
        assert subscribe(client, f"victim{n}@example.org", ip="203.0.113.9").status_code == 200
    refused = subscribe(client, "one-more@example.org", ip="203.0.113.9")
    assert refused.status_code == 429
    assert "Too many subscription requests have come from your connection" in refused.content.decode()
    assert OutgoingEmail.objects.count() == limits.PER_IP_PER_HOUR
    assert subscribe(client, "one-more@example.org", ip="203.0.113.10").status_code == 200


def test_the_page_never_says_whether_an_address_is_subscribed(client):
    SubscriberFactory(email="known@example.org")
    known = subscribe(client, "known@example.org").content.decode()
    unknown = subscribe(client, "unknown@example.org").content.decode()
    assert known.replace("known@", "X@") == unknown.replace("unknown@", "X@")
    told = OutgoingEmail.objects.get(to=["known@example.org"])
    assert "already gets them" in told.body and "/alerts/manage/" in told.body
    assert "/alerts/confirm/" not in told.body


def test_a_subscribed_address_keeps_its_choices_when_someone_else_asks(client):
    theme = ThemeFactory(name="Child neglect", slug="child-neglect")
    subscriber = SubscriberFactory(email="known@example.org", themes=[theme])
    subscribe(client, "known@example.org", frequency="weekly")
    subscriber.refresh_from_db()
    assert subscriber.frequency == "instant" and list(subscriber.themes.all()) == [theme]


def test_the_confirmation_link_expires(client):
    subscribe(client, "late@example.org")
    subscriber = Subscriber.objects.get()

    class TwoDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 49 * 3600)

    old = TwoDaysAgo(salt=subscriptions.CONFIRM_SALT).sign_object(subscriber.token)
    assert client.get(f"/alerts/confirm/{old}/").status_code == 410
    assert client.post(f"/alerts/confirm/{old}/").status_code == 410
    assert client.post("/alerts/confirm/forged-code/").status_code == 410
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_never_confirmed_addresses_are_erased_after_a_week(client):
    subscribe(client, "stale@example.org")
    SubscriberFactory(email="kept@example.org")
    sending.run_tick(timezone.now() + datetime.timedelta(days=6))
    assert Subscriber.objects.count() == 2
    sending.run_tick(timezone.now() + datetime.timedelta(days=7, minutes=1))
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kept@example.org"]


def test_manage_page_changes_choices_without_login_and_is_private(client):
    theme = ThemeFactory(name="Child neglect", slug="child-neglect")
    subscriber = SubscriberFactory()
    page = client.get(f"/alerts/manage/{subscriber.token}/")
    assert page.status_code == 200 and "private" in page["Cache-Control"]
    response = client.post(
        f"/alerts/manage/{subscriber.token}/",
        {"themes": [theme.pk], "updated_briefings": "on", "frequency": "weekly"},
    )
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert not subscriber.everything and subscriber.frequency == "weekly" and subscriber.updated_briefings
    assert not subscriber.new_briefings
    assert client.get("/alerts/manage/not-a-token/").status_code == 410


def test_unsubscribe_page_works_without_javascript_and_a_wrong_token_changes_nothing(client):
    subscriber = SubscriberFactory()
    other = SubscriberFactory()
    page = client.get(f"/alerts/unsubscribe/{subscriber.token}/").content.decode()
    assert '<form method="post"' in page and "<script" not in page.split("<main")[1]
    assert Client(enforce_csrf_checks=True).post("/alerts/unsubscribe/wrong/").status_code == 200
    assert Subscriber.objects.count() == 2
    Client(enforce_csrf_checks=True).post(f"/alerts/unsubscribe/{subscriber.token}/", {"List-Unsubscribe": "One-Click"})
    assert list(Subscriber.objects.all()) == [other]
