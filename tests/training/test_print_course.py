"""What a printed course page and the other printable pages carry (issue 21, item 5); laid out in Chromium by
tests/browser/test_print_everywhere.py."""

import re

import pytest
from django.urls import reverse

from tests.factories import BriefingFactory, CourseFactory, SessionFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_a_course_page_writes_out_its_own_address_for_print(client):
    course = CourseFactory(title="Spotting neglect")
    page = client.get(course.get_absolute_url()).content.decode()
    header = re.search(r'<div class="print-only print-header">(.*?)</div>', page, re.S).group(1)
    assert f"http://testserver{course.get_absolute_url()}" in header


def test_calendar_links_on_a_course_page_are_all_marked_for_the_screen_only(client):
    course = CourseFactory()
    SessionFactory(course=course)
    page = client.get(course.get_absolute_url()).content.decode()
    calendar_links = re.findall(r"<p[^>]*>\s*<a [^>]*\.ics[^>]*>", page)
    assert len(calendar_links) == 2  # the session's and "Add all sessions"
    assert all('class="session-calendar"' in link for link in calendar_links), calendar_links


def test_booking_links_are_kept_for_print(client):
    course = CourseFactory(format="elearning", booking_url="https://learning.example.org/elearn")
    SessionFactory(course=CourseFactory(slug="classroom"), booking_url="https://example.org/book")
    for path in (course.get_absolute_url(), "/training/classroom/"):
        page = client.get(path).content.decode()
        buttons = re.findall(r'(<p[^>]*>)<a class="button[^"]*" href="https://', page)
        assert buttons, path
        # print.css hides buttons, but prints those in a booking-link paragraph as links with their address.
        assert set(buttons) == {'<p class="booking-link">'}, buttons


def test_training_links_in_a_briefing_carry_their_full_address(client):
    """So print.css prints the address after them, as it does for every external link."""
    course = CourseFactory(title="Spotting neglect", slug="spotting-neglect")
    briefing = BriefingFactory(courses=[course])
    page = client.get(briefing.get_absolute_url(), HTTP_HOST="portal.example.org").content.decode()
    assert '<a href="http://portal.example.org/training/spotting-neglect/">Spotting neglect</a>' in page
    other = client.get(briefing.get_absolute_url(), HTTP_HOST="localhost").content.decode()
    assert '<a href="http://localhost/training/spotting-neglect/">Spotting neglect</a>' in other


@pytest.mark.parametrize(
    "path",
    ["course", "theme", "/search/?q=neglect", "/training/whats-on/", "/privacy/", "briefing", "team-pack"],
)
def test_pages_worth_printing_have_a_print_button(client, path):
    theme = ThemeFactory(name="Neglect")
    briefing = BriefingFactory(title="Neglect at home", themes=[theme])
    course = CourseFactory(themes=[theme])
    path = {
        "course": course.get_absolute_url(),
        "theme": theme.get_absolute_url(),
        "briefing": briefing.get_absolute_url(),
        "team-pack": reverse("briefings:team-pack", args=[briefing.slug]),
    }.get(path, path)
    page = client.get(path).content.decode()
    assert len(re.findall(r"<button[^>]*data-print-button[^>]*hidden", page)) == 1, path


def test_training_links_on_pages_worth_printing_carry_their_full_address(client):
    """What's on, a theme, the course list and a course's prerequisites print each course's address."""
    theme = ThemeFactory(name="Neglect")
    first = CourseFactory(title="Neglect basics", slug="neglect-basics", themes=[theme])
    second = CourseFactory(title="Neglect in depth", slug="neglect-in-depth")
    second.prerequisites.add(first)
    SessionFactory(course=first)
    link = '<a href="http://testserver/training/neglect-basics/">Neglect basics</a>'
    for path in ["/training/whats-on/", theme.get_absolute_url(), "/training/", second.get_absolute_url()]:
        assert link in client.get(path).content.decode(), path
