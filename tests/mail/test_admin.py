"""Staff can queue a test email from admin, and see what the site has sent; editors cannot."""

import pytest
from django_tasks_db.models import DBTaskResult

from mail.models import OutgoingEmail
from mail.outbox import send_mail_later
from tests.factories import UserFactory

URL = "/admin/mail/outgoingemail/send-test/"


def test_an_administrator_queues_a_test_email_from_admin(staff_client):
    page = staff_client.get("/admin/mail/outgoingemail/")
    assert page.status_code == 200 and URL in page.content.decode()
    assert staff_client.get(URL).status_code == 200

    response = staff_client.post(URL, {"address": "manager@example.org"}, follow=True)

    assert "Test email to manager@example.org queued" in response.content.decode()
    (email,) = OutgoingEmail.objects.all()
    assert (email.to, email.status) == (["manager@example.org"], "queued")
    assert email.subject.startswith("Test email from ") and "<code>manage.py db_worker</code>" in email.html
    assert DBTaskResult.objects.get().status == "READY"


@pytest.mark.parametrize("address", ["", "not an address", "a@example.org\nBcc: b@example.org"])
def test_a_bad_address_is_refused_and_nothing_is_queued(staff_client, address):
    response = staff_client.post(URL, {"address": address})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not OutgoingEmail.objects.exists() and not DBTaskResult.objects.exists()


def test_the_record_is_read_only(staff_client):
    email = send_mail_later("Hello", "Body", ["a@example.org"])
    page = staff_client.get(f"/admin/mail/outgoingemail/{email.pk}/change/")
    assert page.status_code == 200 and "Hello" in page.content.decode()
    assert staff_client.post(f"/admin/mail/outgoingemail/{email.pk}/delete/").status_code == 403


@pytest.mark.parametrize("group", ["Editor", "Publisher"])
def test_editors_and_publishers_cannot_see_emails_or_send_a_test(client, db, group):
    client.force_login(UserFactory(username="member", groups=[group]))
    assert client.get("/admin/mail/outgoingemail/").status_code == 403
    assert client.post(URL, {"address": "manager@example.org"}).status_code == 403
    assert not OutgoingEmail.objects.exists()


def test_a_failed_or_stuck_email_can_be_sent_again_and_a_sent_one_cannot(staff_client):
    failed = send_mail_later("Failed", "Body", ["a@example.org"])
    stuck = send_mail_later("Stuck", "Body", ["b@example.org"])
    sent = send_mail_later("Sent", "Body", ["c@example.org"])
    OutgoingEmail.objects.filter(pk=failed.pk).update(status="failed", attempts=6, last_error="550 no")
    OutgoingEmail.objects.filter(pk=stuck.pk).update(status="sending", attempts=1)
    OutgoingEmail.objects.filter(pk=sent.pk).update(status="sent", attempts=1)
    DBTaskResult.objects.all().delete()

    response = staff_client.post(
        "/admin/mail/outgoingemail/",
        {"action": "send_again_action", "_selected_action": [failed.pk, stuck.pk, sent.pk]},
        follow=True,
    )

    assert "2 email(s) queued again. 1 already queued or sent" in response.content.decode()
    statuses = dict(OutgoingEmail.objects.values_list("subject", "status"))
    assert statuses == {"Failed": "queued", "Stuck": "queued", "Sent": "sent"}
    assert DBTaskResult.objects.filter(status="READY").count() == 2
