"""axe-core finds no WCAG 2.2 A or AA violation on What's on, the filtered briefing list and a course with
open, full and cancelled sessions, in both contrast modes and at two widths (as tests/browser/test_axe.py)."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import BriefingFactory, CourseFactory, ProfessionalGroupFactory, SessionFactory, ThemeFactory
from training.models import Session

# The same rules as tests/browser/test_axe.py: every WCAG 2.0-2.2 A and AA rule, target size switched on,
# and 7:1 text in high contrast.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
STANDARD = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": TAGS},
            "rules": {"target-size": {"enabled": True}}}  # fmt: skip
HIGH_CONTRAST = {**STANDARD, "rules": {"target-size": {"enabled": True}, "color-contrast-enhanced": {"enabled": True}}}
WIDTHS = [320, 1280]


def report(found):
    return "\n\n".join(f"== {where}\n{text}" for where, text in found.items())


def make_pages():
    """The pages, with content that shows every part: places left, full with a waiting list, cancelled, filters."""
    theme = ThemeFactory(name="Child neglect", slug="child-neglect")
    course = CourseFactory(
        title="Recognising neglect", slug="recognising-neglect", themes=[theme], waiting_list="waiting@example.org"
    )
    SessionFactory(course=course, days=5, places_total=20, places_left=12, is_online=True, location="Microsoft Teams")
    SessionFactory(course=course, days=6, places_total=20, places_left=1)
    SessionFactory(course=course, days=40, status=Session.Status.FULL, note="Bring a case to discuss.")
    SessionFactory(course=course, days=41, status=Session.Status.CANCELLED)
    SessionFactory(course=CourseFactory(title="Graded Care Profile 2"), days=70, places_total=20, places_left=0)
    for year in (2024, 2025):
        briefing = BriefingFactory(themes=[theme], published=datetime.date(year, 3, 1))
        briefing.professional_groups.set([ProfessionalGroupFactory(slug="health")])
    return [
        ("what's on", "/training/whats-on/"),
        ("what's on, filtered", "/training/whats-on/?course=recognising-neglect&theme=child-neglect"),
        ("what's on, nothing found", "/training/whats-on/?course=graded-care-profile-2&theme=child-neglect"),
        ("briefing list, filtered", "/briefings/?group=health&year=2025&theme=child-neglect"),
        ("course with open, full and cancelled sessions", course.get_absolute_url()),
    ]


def violations(page, base, pages, options):
    axe, found = Axe(), {}
    for label, path in pages:
        response = page.goto(base + path)
        if response.status != 200:
            found[f"{label} {path}"] = f"HTTP {response.status}"
            continue
        results = axe.run(page, options=options)
        if results.violations_count:
            found[f"{label} {path}"] = results.generate_report()
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("contrast", ["standard", "high"])
def test_no_axe_violations_on_whats_on_and_filters(browser, live_server, width, contrast):
    pages = make_pages()
    context = browser.new_context(viewport={"width": width, "height": 800})
    if contrast == "high":
        context.add_cookies([{"name": "contrast", "value": "high", "url": live_server.url}])
    found = violations(context.new_page(), live_server.url, pages, HIGH_CONTRAST if contrast == "high" else STANDARD)
    context.close()
    assert not found, report(found)


@pytest.mark.django_db(transaction=True)
def test_no_horizontal_scroll_at_320_css_pixels(browser, live_server):
    pages = make_pages()
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    wide = {}
    for label, path in pages:
        page.goto(live_server.url + path)
        if page.evaluate("document.documentElement.scrollWidth") > 320:
            wide[label] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert not wide, wide
