"""Quick exit in Chromium: the button, Shift three times, no way Back, and without JavaScript."""

import datetime

import pytest
from playwright.sync_api import expect

from portal.models import SiteSettings

STATUS = "#exit-this-page-status"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def exit_url(live_server, transactional_db):
    """A neutral page on the live server, so the test never leaves this machine."""
    site = SiteSettings.load()
    site.exit_url = live_server.url + "/healthz/?exit"
    site.save()
    return site.exit_url


def open_portal_page(page, live_server, path="/staying-safe-online/"):
    """Start somewhere neutral, then open a portal page, so Back has somewhere to go."""
    page.goto(live_server.url + "/healthz/?before")
    page.goto(live_server.url + path)
    page.wait_for_load_state()
    expect(page.locator("h1")).to_be_visible()


def open_with_the_clock_stopped(page, live_server, path="/staying-safe-online/"):
    """Open a portal page whose clock moves only when the test says (page.clock.run_for)."""
    # Shift presses count within five seconds, and on a busy machine the presses alone can take longer.
    page.clock.install(time=START)
    open_portal_page(page, live_server, path)
    page.clock.pause_at(START + datetime.timedelta(hours=1))


@pytest.mark.django_db(transaction=True)
def test_shift_three_times_leaves_and_back_does_not_return(page, live_server, exit_url):
    open_with_the_clock_stopped(page, live_server)
    page.keyboard.press("Shift")
    expect(page.locator(STATUS)).to_have_text("Shift, press 2 more times to exit.")
    page.keyboard.press("Shift")
    expect(page.locator(STATUS)).to_have_text("Shift, press 1 more time to exit.")
    with page.expect_navigation(url=exit_url):
        page.keyboard.press("Shift")
    assert page.url == exit_url
    page.go_back()
    assert page.url == live_server.url + "/healthz/?before"


@pytest.mark.django_db(transaction=True)
def test_shift_used_with_another_key_does_not_count(page, live_server, exit_url):
    open_with_the_clock_stopped(page, live_server, "/search/")
    for _ in range(3):
        page.keyboard.press("Shift+A")
    page.keyboard.press("Control+Shift+K")
    expect(page.locator(STATUS)).to_have_text("")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    expect(page.locator(STATUS)).to_have_text("Shift, press 1 more time to exit.")
    # Typing another key between presses starts the count again.
    page.keyboard.press("b")
    page.keyboard.press("Shift")
    expect(page.locator(STATUS)).to_have_text("Shift, press 2 more times to exit.")
    assert page.url.startswith(live_server.url + "/search/")


@pytest.mark.django_db(transaction=True)
def test_shift_presses_expire_after_five_seconds(page, live_server, exit_url):
    open_with_the_clock_stopped(page, live_server)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.clock.run_for(5100)
    expect(page.locator(STATUS)).to_have_text("Exit this page expired.")
    page.keyboard.press("Shift")
    expect(page.locator(STATUS)).to_have_text("Shift, press 2 more times to exit.")
    assert "/staying-safe-online/" in page.url


# Records, at the moment the page starts to leave, what was still showing (kept across the
# same-origin navigation in sessionStorage, because the page itself is gone by then).
RECORD_BLANKING = """
new MutationObserver(() => {
  const html = document.documentElement;
  if (!html.classList.contains('exit-in-progress') || sessionStorage.getItem('blanked')) return;
  const shown = (selector) => {
    const el = document.querySelector(selector);
    return !!el && el.getClientRects().length > 0;
  };
  sessionStorage.setItem('blanked', JSON.stringify({
    title: document.title, main: shown('main'), header: shown('header'), overlay: shown('.exit-overlay'),
  }));
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['class']});
"""


@pytest.mark.django_db(transaction=True)
def test_exit_button_blanks_the_page_at_once_and_replaces_it_in_history(page, live_server, exit_url):
    page.add_init_script(RECORD_BLANKING)
    open_portal_page(page, live_server, "/briefings/")
    with page.expect_navigation(url=exit_url):
        page.get_by_role("link", name="Emergency Exit this page").click()
    blanked = page.evaluate("JSON.parse(sessionStorage.getItem('blanked'))")
    # Before the next site arrived, nothing of this page showed and the tab title was neutral.
    assert blanked == {"title": "Loading", "main": False, "header": False, "overlay": True}
    page.go_back()
    assert page.url == live_server.url + "/healthz/?before"


@pytest.mark.django_db(transaction=True)
def test_exit_button_is_a_plain_link_that_leaves_without_javascript(browser, live_server, exit_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/training/")
    link = page.locator("#exit-this-page")
    assert link.get_attribute("href") == exit_url
    assert "noreferrer" in link.get_attribute("rel")
    link.click()
    page.wait_for_url(exit_url)
    assert page.url == exit_url
    context.close()


@pytest.mark.django_db(transaction=True)
def test_exit_bar_stays_in_view_and_never_hides_the_focused_element(page, live_server, exit_url):
    page.set_viewport_size({"width": 1024, "height": 500})
    page.goto(live_server.url + "/staying-safe-online/")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 300
    button = page.locator("#exit-this-page").bounding_box()
    assert button["y"] >= 0 and button["y"] + button["height"] <= 500
    bar_bottom = page.evaluate("document.querySelector('.exit-this-page').getBoundingClientRect().bottom")
    # Put a link just under the bar, then move focus to it by keyboard: it must scroll clear of the bar.
    page.evaluate(
        """() => {
            const links = [...document.querySelectorAll('main a')];
            const target = links[Math.floor(links.length / 2)];
            window.scrollTo(0, target.getBoundingClientRect().top + window.scrollY - 20);
            const before = links[links.indexOf(target) - 1];
            before.focus({preventScroll: true});
            target.dataset.target = 'yes';
        }"""
    )
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const el = document.activeElement; return [el.dataset.target, el.getBoundingClientRect().top]; })()"
    )
    assert focused[0] == "yes"
    assert focused[1] >= bar_bottom
