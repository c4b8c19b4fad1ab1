"""A keyboard-only journey: skip link, navigation, a briefing, then the quick exit."""

import re

import pytest

from portal.models import SiteSettings
from tests.browser.pages import ensure_briefing

FOCUS_YELLOW = "rgb(255, 221, 0)"
ACTIVE = """(() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {id: el.id, text: el.textContent.trim(), href: el.getAttribute('href') || '',
          inMain: !!el.closest('main'), background: s.backgroundColor,
          onScreen: r.bottom > 0 && r.top < innerHeight && r.width > 0};
})()"""


def tab_to(page, matches, limit=60):
    """Press Tab until the focused element matches; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        assert active["onScreen"], active
        if active["href"] or active["id"] == "exit-this-page":
            assert active["background"] == FOCUS_YELLOW, active  # focus is visible
        if matches(active):
            return active
    raise AssertionError("never reached by Tab")


@pytest.mark.django_db(transaction=True)
def test_keyboard_only_journey_from_home_to_a_briefing_then_out(page, live_server, demo_content):
    ensure_briefing("seven_minute_briefing")
    site = SiteSettings.load()
    site.exit_url = live_server.url + "/healthz/?exit"
    site.save()
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    first = page.evaluate(ACTIVE)
    assert first["text"] == "Skip to main content" and first["onScreen"]

    tab_to(page, lambda el: el["text"] == "Briefings" and not el["inMain"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/briefings/"

    briefing = tab_to(page, lambda el: el["inMain"] and re.fullmatch(r"/briefings/[\w-]+/", el["href"]))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + briefing["href"]

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE)["text"] == "Skip to exit this page"
    page.keyboard.press("Enter")
    exit_button = page.evaluate(ACTIVE)
    assert exit_button["id"] == "exit-this-page"
    assert exit_button["background"] == FOCUS_YELLOW
    with page.expect_navigation(url=site.exit_url):
        page.keyboard.press("Enter")
    page.go_back()
    assert page.url == live_server.url + "/briefings/"  # the briefing was replaced in history
