"""Sign-off walked as two people in Chromium, with mail through a real SMTP server sent by the worker.

An editor changes section 7 of a published 7-minute briefing and a session of a published
course; the public keeps seeing the approved pages; the publisher gets an email, opens the
review page from it, sees the old and new text, approves the briefing (the public page changes
although it was in the page cache) and returns the course with a comment, which the editor
receives by email.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from briefings.models import Briefing, Section
from training.models import Course, Session

from ..mail.conftest import run_worker, smtp_server, smtp_settings  # noqa: F401 (fixtures)

PASSWORD = "a-long-test-password"
EDIT = ["briefing", "section", "keyfact", "discussionquestion", "resource", "course", "learningoutcome", "session"]


@pytest.fixture
def mailbox(smtp_settings):  # noqa: F811 (the fixture imported above)
    """A real SMTP server on a free loopback port, and the site's mail settings pointing at it."""
    return smtp_settings


def make_people():
    users = get_user_model().objects
    editor = users.create_user("eddie", "eddie@example.org", PASSWORD, is_staff=True, first_name="Eddie")
    codenames = [f"{action}_{model}" for model in EDIT for action in ("add", "change", "view")]
    editor.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    publisher = users.create_user("pat", "pat@example.org", PASSWORD, is_staff=True, first_name="Pat")
    publish = ["publish_briefing", "publish_course", *codenames]
    publisher.user_permissions.set(Permission.objects.filter(codename__in=publish))
    return editor, publisher


def make_content():
    day = timezone.localdate() - datetime.timedelta(days=10)
    briefing = Briefing.objects.create(
        title="Neglect in seven minutes",
        slug="neglect-in-seven-minutes",
        kind="seven_minute_briefing",
        summary="What every practitioner should know.",
        status="published",
        published=day,
    )
    for n in range(1, 8):
        Section.objects.create(briefing=briefing, position=n, heading=f"Part {n}", body=f"Approved text {n}.")
    course = Course.objects.create(
        title="Neglect basics", slug="neglect-basics", summary="An introduction.", status="published", published=day
    )
    starts = timezone.now() + datetime.timedelta(days=20)
    ends = starts + datetime.timedelta(hours=3)
    Session.objects.create(course=course, starts=starts, ends=ends, location="Town hall")
    return briefing, course


def log_in(browser, live_server, username):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return page


def public_text(browser, url):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        return page.locator("main").inner_text()
    finally:
        context.close()


def link_in(message):
    return re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)


@pytest.mark.django_db(transaction=True)
def test_editor_changes_wait_publisher_approves_one_and_returns_the_other(browser, live_server, mailbox, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.BRIEFING_BODY_CACHE_SECONDS = 600
    make_people()
    briefing, course = make_content()
    briefing_url = live_server.url + briefing.get_absolute_url()
    course_url = live_server.url + course.get_absolute_url()
    assert "Approved text 7." in public_text(browser, briefing_url)  # cached now

    editor = log_in(browser, live_server, "eddie")
    editor.goto(f"{live_server.url}/admin/briefings/briefing/{briefing.pk}/change/")
    editor.fill("#id_sections-6-body", "Call the Front Door on 0300 123 4567 the same day.")
    editor.click("input[name=_save]")
    assert "waiting for a publisher's approval" in editor.locator(".messagelist").inner_text()
    assert "This briefing has changes waiting for approval" in editor.locator(".signoff-banner").inner_text()

    editor.goto(f"{live_server.url}/admin/training/course/{course.pk}/change/")
    editor.fill("#id_sessions-0-location", "The library, room 2")
    editor.click("input[name=_save]")
    assert "waiting for a publisher's approval" in editor.locator(".messagelist").inner_text()

    assert "Front Door" not in public_text(browser, briefing_url)
    assert "The library" not in public_text(browser, course_url)

    run_worker()
    first, second = mailbox.wait_for(2)
    subjects = {message["Subject"].strip(): message for message in (first, second)}
    to_briefing = subjects["Waiting for your approval: Neglect in seven minutes"]
    to_course = subjects["Waiting for your approval: Neglect basics"]
    assert to_briefing["To"] == to_course["To"] == "pat@example.org"

    publisher = log_in(browser, live_server, "pat")
    publisher.goto(link_in(to_briefing))
    changes = publisher.locator("#content-main").inner_text()
    assert "Approved text 7." in changes and "Call the Front Door on 0300 123 4567 the same day." in changes
    publisher.click("button[value=approve]")
    assert "Approved" in publisher.locator(".messagelist").inner_text()
    assert "Call the Front Door on 0300 123 4567 the same day." in public_text(browser, briefing_url)

    publisher.goto(link_in(to_course))
    assert "The library, room 2" in publisher.locator("#content-main").inner_text()
    publisher.fill("#signoff-comment", "Room 2 is being refurbished; please check the room with the venue.")
    publisher.click("button[value=return]")
    assert "The library" not in public_text(browser, course_url)

    run_worker()
    messages = mailbox.wait_for(4)
    to_editor = {m["Subject"].strip(): m for m in messages if m["To"] == "eddie@example.org"}
    assert set(to_editor) == {"Approved: Neglect in seven minutes", "Returned to you: Neglect basics"}
    body = to_editor["Returned to you: Neglect basics"].get_body(("plain",)).get_content()
    assert "Room 2 is being refurbished; please check the room with the venue." in body
