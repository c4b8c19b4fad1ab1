"""Creating a 7-minute briefing from the admin index as staff would: kind first, starter panels, a linked course's
session typed as "2pm" on "3/12/2026", a panel moved with the keyboard only, and the public page numbering 1 to 7."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from briefings.models import STARTER_DEFAULTS, Briefing
from tests.factories import PASSWORD, CourseFactory, UserFactory, uk
from training.models import Session

SEVEN = Briefing.Kind.SEVEN_MINUTE_BRIEFING


def log_in(page, live_server):
    UserFactory(username="publisher", superuser=True)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "publisher")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def active_text(page):
    return page.evaluate("document.activeElement ? document.activeElement.textContent.trim() : ''")


@pytest.mark.django_db(transaction=True)
def test_a_seven_minute_briefing_from_the_admin_index_with_a_session_at_2pm_and_a_panel_moved_by_keyboard(
    page, live_server
):
    course = CourseFactory(title="Graded Care Profile 2", slug="gcp2", booking_url="https://learning.example.org/b")
    log_in(page, live_server)

    # The course's new session, in the course's own admin page, typed as staff type it.
    page.goto(f"{live_server.url}/admin/training/course/{course.pk}/change/")
    page.fill("input[name='sessions-0-starts_0']", "3/12/2026")
    page.fill("input[name='sessions-0-starts_1']", "2pm")
    page.fill("input[name='sessions-0-ends_1']", "4.30pm")
    page.fill("input[name='sessions-0-location']", "Civic Centre, Room 2")
    page.fill("input[name='sessions-0-places_total']", "20")
    page.fill("input[name='sessions-0-places_left']", "20")
    page.locator("input[name='_save']").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    session = Session.objects.get(course=course)
    assert (session.starts, session.ends) == (uk(2026, 12, 3, 14), uk(2026, 12, 3, 16, 30))

    # "+ Add" on the admin index asks for the kind first.
    page.goto(live_server.url + "/admin/")
    page.locator("a.addlink[href='/admin/briefings/briefing/add/']").click()
    expect(page.locator("h1")).to_have_text("What kind of briefing?")
    page.get_by_label("7-minute briefing").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/admin/briefings/briefing/add/\?kind=seven_minute_briefing$"))

    headings = page.locator(".inline-related:not(.empty-form) input[name$='-heading']")
    expect(headings).to_have_count(7)
    starters = [headings.nth(i).input_value() for i in range(7)]
    assert starters == STARTER_DEFAULTS[SEVEN]

    page.fill("#id_title", "Neglect in adolescence")
    page.fill("#id_summary", "What practitioners need to know about the neglect of teenagers.")
    page.select_option("#id_status", "published")
    page.fill("#id_published", timezone.localdate().isoformat())
    for i in range(7):
        page.fill(f"textarea[name='sections-{i}-body']", f"Text of panel {i + 1}, about {starters[i].lower()}.")
    # Linked training is folded away (rarely changed) and offered as tick boxes.
    page.locator("summary", has_text="Training linked to this learning").click()
    page.get_by_label("Graded Care Profile 2", exact=True).check()
    expect(page.locator("input[name='courses']:checked")).to_have_count(1)

    # Keyboard only: from the third panel's heading back to its "Move up" button, then Enter.
    page.locator("input[name='sections-2-heading']").focus()
    for _ in range(6):
        if active_text(page).endswith("Move up"):
            break
        page.keyboard.press("Shift+Tab")
    assert active_text(page).endswith("Move up")
    page.keyboard.press("Enter")
    assert active_text(page).endswith("Move up")  # focus stays on the button that moved
    expect(page.locator(".reorder-status")).to_have_text(f"“{starters[2]}” is now 2 of 7.")
    expect(page.locator("input[name='sections-2-position']")).to_have_value("2")
    expect(page.locator("input[name='sections-1-position']")).to_have_value("3")

    page.locator("input[name='_save']").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    briefing = Briefing.objects.get(title="Neglect in adolescence")
    assert briefing.status == Briefing.Status.PUBLISHED and briefing.kind == SEVEN
    assert list(briefing.courses.all()) == [course]
    order = [starters[0], starters[2], starters[1], *starters[3:]]
    assert list(briefing.sections.values_list("position", "heading")) == list(enumerate(order, start=1))

    page.goto(live_server.url + briefing.get_absolute_url())
    panels = page.locator(".seven-minute-grid__item h2")
    expect(panels).to_have_count(7)
    shown = [panels.nth(i).inner_text().split(None, 1) for i in range(7)]
    assert shown == [[str(n), heading] for n, heading in enumerate(order, start=1)]
    expect(page.locator("#training")).to_contain_text("Graded Care Profile 2")


@pytest.mark.django_db(transaction=True)
def test_the_kind_question_and_the_reorder_buttons_have_no_axe_violations(page, live_server):
    axe = Axe()
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/briefings/briefing/add/")
    results = axe.run(page, context="#content-main", options={"resultTypes": ["violations"]})
    assert not results.violations_count, results.generate_report()
    page.goto(live_server.url + "/admin/briefings/briefing/add/?kind=seven_minute_briefing")
    expect(page.locator(".reorder-controls")).to_have_count(7)
    results = axe.run(page, context=".reorder-controls", options={"resultTypes": ["violations"]})
    assert not results.violations_count, results.generate_report()


@pytest.mark.django_db(transaction=True)
def test_a_section_dragged_by_its_handle_takes_its_new_place_in_the_order(page, live_server):
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/briefings/briefing/add/?kind=seven_minute_briefing")
    handles = page.locator(".reorder-handle")
    expect(handles).to_have_count(7)
    target = page.locator("#sections-group .inline-related:not(.empty-form)").nth(2)
    # The mouse as a person moves it (press, move, scroll the third section into view, release on its lower half):
    # the first section then goes after it.
    handles.nth(0).scroll_into_view_if_needed()
    handle = handles.nth(0).bounding_box()
    page.mouse.move(handle["x"] + 5, handle["y"] + 5)
    page.mouse.down()
    page.mouse.move(handle["x"] + 30, handle["y"] + 30, steps=5)
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    page.mouse.move(box["x"] + 50, box["y"] + box["height"] * 0.75, steps=10)
    page.mouse.up()
    first = STARTER_DEFAULTS[SEVEN][0]
    expect(page.locator("input[name='sections-0-position']")).to_have_value("3")
    expect(page.locator(".reorder-status")).to_have_text(f"“{first}” is now 3 of 7.")
    orders = [page.locator(f"input[name='sections-{i}-position']").input_value() for i in range(7)]
    assert orders == ["3", "1", "2", "4", "5", "6", "7"]
