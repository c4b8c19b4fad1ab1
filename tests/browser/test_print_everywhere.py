"""Print everywhere and connections in Chromium (issue 21, items 5 and 6): course pages on paper, training links'
addresses, print buttons, breadcrumbs' structured data under the CSP, copy link and email to a colleague."""

import io
import json
import re

import pytest
from pypdf import PdfReader

from briefings.models import Briefing
from tests.factories import BriefingFactory, CourseFactory, SessionFactory, ThemeFactory
from tests.print_content import words
from training.models import Course, Session

FOOT = re.compile(r"\s*Page \d+ of \d+\s*")


def printed_pages(page, url):
    """Each page's text as Chromium prints the page to A4, whitespace normalised, without "Page n of m"."""
    page.goto(url)
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    return [FOOT.sub("", " ".join((p.extract_text() or "").split())) for p in reader.pages]


def joined(pages):
    """All the printed text without spaces, since long addresses wrap anywhere."""
    return "".join("".join(pages).split())


def course_with_sessions(**kwargs):
    course = CourseFactory(
        title="Recognising neglect", slug="recognising-neglect", booking_url="https://learning.example.org/neglect",
        **kwargs,
    )  # fmt: skip
    SessionFactory(course=course, days=20, places_total=20, places_left=7, booking_url="https://example.org/book-7")
    SessionFactory(course=course, days=30, status=Session.Status.FULL)
    SessionFactory(course=course, days=40, status=Session.Status.CANCELLED)
    return course


@pytest.mark.django_db(transaction=True)
def test_a_printed_course_page_has_its_address_booking_link_dates_and_places_and_no_calendar_links(page, live_server):
    course = course_with_sessions()
    pages = printed_pages(page, live_server.url + course.get_absolute_url())
    text = " ".join(pages)
    flat = joined(pages)
    assert f"{live_server.url}/training/recognising-neglect/" in flat
    assert "Bookaplace(https://example.org/book-7)" in flat
    assert "7 places left" in text
    assert "Full" in text and "Cancelled" in text
    assert "Dates and booking" in text
    for words_on_screen_only in [
        "Add to calendar", "Add all sessions", ".ics", "Print this page", "Share this page", "Email to a colleague",
        "Copy link", "Was this useful", "opens the booking site", "Exit this page",
    ]:  # fmt: skip
        assert words_on_screen_only not in text, words_on_screen_only
    for selector in [".breadcrumbs", ".share", ".session-calendar", ".page-actions"]:
        assert set(page.eval_on_selector_all(selector, "els => els.map(e => getComputedStyle(e).display)")) == {
            "none"
        }, selector


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "fields",
    [
        {"format": Course.Format.ELEARNING, "booking_url": "https://example.org/icon", "slug": "icon"},
        {"booking_url": "https://example.org/dates", "slug": "no-dates"},
    ],
    ids=["elearning", "no dates"],
)
def test_a_printed_course_page_without_sessions_has_its_booking_link_without_screen_words(page, live_server, fields):
    course = CourseFactory(**fields)
    flat = joined(printed_pages(page, live_server.url + course.get_absolute_url()))
    assert course.booking_url in flat
    assert "opensthebookingsite" not in flat


@pytest.mark.django_db(transaction=True)
def test_dates_and_booking_is_never_left_alone_at_the_foot_of_a_page(page, live_server):
    """A description of 6 to 12 short paragraphs moves the heading down page 1 past the point where the first
    session no longer fits under it: on every length the heading starts a page with its first session, or stays
    with it."""
    course = course_with_sessions(outcomes=[words(12, n) for n in range(6)])
    heading_pages = set()
    for lines in range(6, 13):
        course.description = "\n\n".join(words(14, n) for n in range(lines))
        course.save()
        pages = printed_pages(page, live_server.url + course.get_absolute_url() + f"?lines={lines}")
        for text in pages:
            assert not text.endswith(("Dates and booking", "Times are UK time.")), (lines, text[-300:])
        heading = [n for n, text in enumerate(pages) if "Dates and booking" in text]
        assert len(heading) == 1, (lines, pages)
        text = pages[heading[0]]
        after = text[text.index("Dates and booking") :]
        # The heading, the note on times and at least the first session's date and place on the same page.
        assert "Times are UK time." in after and "Partnership Learning Centre" in after, (lines, text[-300:])
        heading_pages.add(heading[0])
    # The lengths cross the foot of page 1: on some the heading is on page 1, on others it moved to page 2.
    assert heading_pages == {0, 1}, heading_pages


@pytest.mark.django_db(transaction=True)
def test_a_training_link_in_a_printed_briefing_prints_its_address(page, live_server):
    course = CourseFactory(title="Recognising neglect", slug="recognising-neglect")
    briefing = BriefingFactory(kind=Briefing.Kind.AUDIT_FINDINGS, sections=2, courses=[course])
    flat = joined(printed_pages(page, live_server.url + briefing.get_absolute_url()))
    assert f"Recognisingneglect({live_server.url}/training/recognising-neglect/)" in flat


@pytest.mark.django_db(transaction=True)
def test_every_page_worth_printing_has_a_working_print_button(page, live_server):
    theme = ThemeFactory(name="Neglect")
    course = course_with_sessions(themes=[theme])
    BriefingFactory(title="Neglect at home", themes=[theme])
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    for path in [course.get_absolute_url(), theme.get_absolute_url(), "/search/?q=neglect", "/training/whats-on/",
                 "/privacy/"]:  # fmt: skip
        page.goto(live_server.url + path)
        page.get_by_role("button", name="Print this page").click()
        assert page.evaluate("window.printed") == 1, path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["briefing", "/training/whats-on/", "/privacy/"])
def test_printed_pages_leave_off_breadcrumbs_sharing_related_and_forms(page, live_server, path):
    theme = ThemeFactory(name="Neglect")
    briefing = BriefingFactory(kind=Briefing.Kind.AUDIT_FINDINGS, sections=2, themes=[theme])
    BriefingFactory(title="Another on neglect", themes=[theme])
    url = live_server.url + (briefing.get_absolute_url() if path == "briefing" else path)
    text = " ".join(printed_pages(page, url))
    for words_on_screen_only in ["Related briefings", "Another on neglect", "Share this page", "Home Briefings",
                                 "Show sessions", "Print this"]:  # fmt: skip
        assert words_on_screen_only not in text, words_on_screen_only
    # The privacy notice itself speaks of "Was this useful?"; the vote form's answers never print.
    assert "Was this useful? Yes No" not in text


@pytest.mark.django_db(transaction=True)
def test_breadcrumb_structured_data_passes_the_content_security_policy(page, live_server):
    briefing = BriefingFactory(title="Neglect & care")
    violations, console = [], []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "(window.cspViolations = window.cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    response = page.goto(live_server.url + briefing.get_absolute_url())
    assert "script-src" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.cspViolations || []")
    assert violations == []
    assert not [text for text in console if "Content Security Policy" in text], console
    data = json.loads(page.text_content('script[type="application/ld+json"]'))
    assert [item["name"] for item in data["itemListElement"]] == [
        "Home", "Briefings", "7-minute briefings", "Neglect & care",
    ]  # fmt: skip
    assert page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").all_text_contents() == [
        "Home", "Briefings", "7-minute briefings",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_copy_link_copies_the_address_and_says_so(browser, live_server):
    briefing = BriefingFactory(title="Neglect & care")
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(live_server.url + briefing.get_absolute_url())
        page.get_by_role("button", name="Copy link to this page").click()
        status = page.get_by_role("status").filter(has_text="Link copied")
        status.wait_for()
        # The site's Permissions-Policy forbids reading the clipboard (clipboard-read=()), so read it back on a
        # blank page of the same origin served without that header.
        reader = context.new_page()
        reader.route(live_server.url + "/clipboard/", lambda route: route.fulfill(body="", content_type="text/html"))
        reader.goto(live_server.url + "/clipboard/")
        assert reader.evaluate("navigator.clipboard.readText()") == live_server.url + briefing.get_absolute_url()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_there_is_no_copy_button_but_email_still_works(browser, live_server):
    briefing = BriefingFactory(title="Neglect & care")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + briefing.get_absolute_url())
        assert not page.locator("[data-copy-link]").is_visible()
        email = page.get_by_role("link", name="Email to a colleague")
        assert email.is_visible()
        href = email.get_attribute("href")
        assert href == (
            "mailto:?subject=Neglect%20%26%20care&body="
            + live_server.url.replace(":", "%3A").replace("/", "%2F")
            + f"%2Fbriefings%2F{briefing.slug}%2F"
        )
    finally:
        context.close()
