"""Done when: subscribe, confirm from the email, one alert per publication, one-click unsubscribe, then nothing."""

import re

import pytest
from django.contrib.admin import helpers
from django.test import Client

from alerts.models import AlertEvent, Subscriber
from briefings.models import Briefing
from tests.factories import BriefingFactory, ThemeFactory

from .conftest import SITE_URL, drain, html_part, link_to, text_part

# The worker closes its database connection when it is done, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def publish(client, briefing):
    """A publisher publishes a draft with the admin's bulk action."""
    response = client.post(
        "/admin/briefings/briefing/",
        {"action": "publish_selected", helpers.ACTION_CHECKBOX_NAME: [briefing.pk]},
    )
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.is_published


def test_subscribe_confirm_alert_unsubscribe_then_nothing(smtp_settings, chief_client):
    mailbox = smtp_settings
    neglect = ThemeFactory(name="Child neglect", slug="child-neglect")
    other = ThemeFactory(name="Online safety", slug="online-safety")
    reader = Client()

    page = reader.get("/alerts/?theme=child-neglect")
    assert page.status_code == 200
    assert "private" in page["Cache-Control"]
    answer = reader.post(
        "/alerts/?theme=child-neglect",
        {"email": "Practitioner@Example.org", "themes": [neglect.pk], "new_briefings": "on", "frequency": "instant"},
    )
    assert answer.status_code == 200
    assert "Check your email" in answer.content.decode()
    drain()
    (confirmation,) = mailbox.wait_for(1)
    assert confirmation["To"] == "practitioner@example.org"
    assert Subscriber.objects.get().confirmed_at is None

    # Nothing but the confirmation goes before the link is followed.
    publish(chief_client, BriefingFactory(title="Before confirming", draft=True, themes=[neglect]))
    drain()
    assert len(mailbox.messages) == 1

    confirm_path = link_to(confirmation, "/alerts/confirm/")
    shown = reader.get(confirm_path)
    assert shown.status_code == 200
    assert Subscriber.objects.get().confirmed_at is None  # opening the link (a mail scanner) confirms nothing
    confirmed = reader.post(confirm_path)
    assert confirmed.status_code == 302
    assert Subscriber.objects.get().confirmed_at is not None

    BriefingFactory(title="A draft only", draft=True, themes=[neglect])  # a draft save: nothing
    publish(chief_client, BriefingFactory(title="Elsewhere", draft=True, themes=[other]))  # not followed
    matching = BriefingFactory(title="Neglect and “curly” quotes", draft=True, themes=[neglect, other])
    publish(chief_client, matching)
    drain()
    messages = mailbox.wait_for(2)
    assert len(messages) == 2
    alert = messages[1]
    # Django folds a non-ASCII subject onto its own line; mail programs drop the leading space.
    assert alert["Subject"].strip() == "New 7-minute briefing: Neglect and “curly” quotes"
    assert alert["To"] == "practitioner@example.org"
    assert matching.get_absolute_url() in text_part(alert)
    html = html_part(alert)
    assert "Neglect and “curly” quotes" in html
    assert "<img" not in html  # no tracking pixel
    assert all(url.startswith(SITE_URL) for url in re.findall(r'href="([^"]+)"', html))
    assert all(url.startswith(SITE_URL) for url in re.findall(r"https?://\S+", text_part(alert)))
    assert "Staying safe" in text_part(alert) and "Staying safe" in html
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.fullmatch(r"<(.+)>", alert["List-Unsubscribe"].strip()).group(1)
    assert unsubscribe_url.startswith(SITE_URL + "/alerts/unsubscribe/")

    # RFC 8058: the mail program POSTs with no cookie, no CSRF token and no JavaScript.
    mail_program = Client(enforce_csrf_checks=True)
    done = mail_program.post(
        unsubscribe_url.removeprefix(SITE_URL),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 200
    assert not Subscriber.objects.exists()

    publish(chief_client, BriefingFactory(title="After leaving", draft=True, themes=[neglect]))
    drain()
    assert len(mailbox.messages) == 2
    # The record of what was sent keeps its counts without the address.
    event = AlertEvent.objects.get(briefing=matching)
    assert event.status == AlertEvent.Status.DONE and event.recipients == 1
    assert event.deliveries.get().subscriber is None
    assert Briefing.objects.published().count() == 4
