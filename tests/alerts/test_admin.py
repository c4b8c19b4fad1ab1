"""Staff see counts by theme and what was sent; only publishers export addresses or send themselves a test."""

import csv
import io

import pytest
from django.test import Client

from alerts import sending
from alerts.models import AlertEvent
from mail.models import OutgoingEmail
from tests.factories import BriefingFactory, SubscriberFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribers():
    neglect = ThemeFactory(name="Child neglect", slug="child-neglect")
    ThemeFactory(name="Online safety", slug="online-safety")
    SubscriberFactory(email="secret-one@example.org", themes=[neglect])
    SubscriberFactory(email="secret-two@example.org", themes=[neglect], frequency="weekly")
    SubscriberFactory(email="secret-three@example.org")
    SubscriberFactory(email="secret-unconfirmed@example.org", confirmed_at=None)
    return neglect


def test_an_editor_sees_counts_by_theme_and_no_address(editor_client, subscribers):
    page = editor_client.get("/admin/alerts/alertevent/subscribers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "secret" not in html
    assert "3 confirmed subscribers; 1 waiting to confirm" in html
    row = html.split('<th scope="row">Child neglect</th>')[1].split("</tr>")[0]
    assert row == "<td>1</td><td>1</td>"
    assert "subscribers.csv" not in html and "Send a test to me" not in html
    assert editor_client.get("/admin/alerts/alertevent/subscribers.csv").status_code == 403
    assert editor_client.post("/admin/alerts/alertevent/send-test/").status_code == 403


def test_a_publisher_exports_every_subscriber_as_csv(publisher_client, subscribers):
    SubscriberFactory(email="=cmd@example.org")
    response = publisher_client.get("/admin/alerts/alertevent/subscribers.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "private" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 5
    assert {row["email"] for row in rows} >= {"secret-one@example.org", "'=cmd@example.org"}
    one = next(row for row in rows if row["email"] == "secret-one@example.org")
    assert one["themes"] == "Child neglect" and one["every theme"] == "no"


def test_sends_list_shows_how_many_and_failures(editor_client, subscribers):
    BriefingFactory(title="Counted", themes=[subscribers])
    event = AlertEvent.objects.get()
    sending.start_event.call(event.pk)
    sending.send_batch.call(event.pk)
    OutgoingEmail.objects.filter(pk=OutgoingEmail.objects.order_by("pk").first().pk).update(status="failed")
    OutgoingEmail.objects.exclude(status="failed").update(status="sent")
    page = editor_client.get("/admin/alerts/alertevent/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Counted" in html and "secret" not in html
    row = html.split("Counted")[1].split("</tr>")[0]
    assert '<td class="field-recipients">2</td><td class="field-sent">1</td><td class="field-failed">1</td>' in row


def test_a_publisher_sends_a_test_to_themselves(publisher_client, publisher, subscribers):
    BriefingFactory(title="Latest one")
    response = publisher_client.post("/admin/alerts/alertevent/send-test/")
    assert response.status_code == 302
    (email,) = OutgoingEmail.objects.filter(to=[publisher.email])
    assert email.subject == "[Test] New 7-minute briefing: Latest one"
    assert "Latest one" in email.html and "Staying safe" in email.body
    assert publisher_client.get("/admin/alerts/alertevent/send-test/").status_code == 403


def test_only_a_publisher_sees_tell_subscribers_and_only_on_a_published_briefing(editor, publisher, subscribers):
    publisher_client, editor_client = Client(), Client()
    publisher_client.force_login(publisher)
    editor_client.force_login(editor)
    published, draft = BriefingFactory(), BriefingFactory(draft=True)
    url = "/admin/briefings/briefing/{}/change/"
    assert "Tell subscribers" in publisher_client.get(url.format(published.pk)).content.decode()
    assert "Tell subscribers" not in publisher_client.get(url.format(draft.pk)).content.decode()
    assert "Tell subscribers" not in editor_client.get(url.format(published.pk)).content.decode()
