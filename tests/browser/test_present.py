"""Presenter mode in Chromium: keys a clicker sends, the timer, Escape, type size, contrast, nothing cut off."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from briefings.models import Briefing
from portal.models import SiteSettings
from tests.factories import BriefingFactory

DEMO = "neglect-learning-from-serious-case-reviews"
LAPTOP = {"width": 1366, "height": 768}
SCREEN = {"width": 1920, "height": 1080}
PANEL = "[data-present-panel]:not([hidden])"
PROGRESS = "[data-presenter-progress]"
TIME = "[data-presenter-time]"

# For each text of the shown panel: its font size and its contrast with the colour behind it
# (the first ancestor with an opaque background), worked out from the computed colours.
TEXT_METRICS = """(() => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  const scope = document.querySelectorAll('[data-present-panel]:not([hidden]), [data-presenter-controls]');
  for (const root of scope) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      const el = node.parentElement;
      if (!node.textContent.trim() || el.closest('.visually-hidden, [hidden]')) continue;
      const style = getComputedStyle(el);
      const fg = luminance(rgb(style.color)), bg = luminance(background(el));
      const body = !!el.closest('.present-panel__content') && !!el.closest('p, li, td, th, .key-fact__text');
      out.push({text: node.textContent.trim().slice(0, 40), px: parseFloat(style.fontSize), body,
                ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)});
    }
  }
  return out;
})()"""

# What is wrong with the shown screen: the page scrolls, the controls are off screen, or a line of
# the panel is cut by the edge of its box (lines wholly in another page's column are not shown).
LAYOUT_PROBLEMS = """(() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollHeight > innerHeight + 1) problems.push('page scrolls down: ' + doc.scrollHeight);
  if (doc.scrollWidth > innerWidth + 1) problems.push('page scrolls sideways: ' + doc.scrollWidth);
  const controls = document.querySelector('[data-presenter-controls]').getBoundingClientRect();
  if (controls.bottom > innerHeight + 1) problems.push('controls below the screen');
  const panel = document.querySelector('[data-present-panel]:not([hidden])');
  const heading = panel.querySelector('.present-panel__title, h2').getBoundingClientRect();
  if (heading.top < 0 || heading.bottom > controls.top) problems.push('heading off screen');
  const box = panel.querySelector('.present-panel__content');
  const b = box.getBoundingClientRect();
  if (b.bottom > controls.top + 1) problems.push('panel under the controls');
  const shown = [];
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    let any = false;
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      const inX = r.left >= b.left - 1 && r.right <= b.right + 1;
      const outX = r.right <= b.left + 1 || r.left >= b.right - 1;
      if (!inX && !outX) problems.push('line cut at the side: ' + node.textContent.slice(0, 30));
      if (inX) {
        any = true;
        const cut = r.top < b.top - 1 || r.bottom > b.bottom + 1;
        if (cut) problems.push('line cut at the foot: ' + node.textContent.slice(0, 30));
      }
    }
    if (any) shown.push(node.textContent.trim());
  }
  return {problems, shown, size: parseFloat(getComputedStyle(box).fontSize)};
})()"""


def all_panel_text(page):
    return page.evaluate(
        """[...document.querySelectorAll('[data-present-panel]')].map(panel => {
          const texts = [];
          const box = panel.querySelector('.present-panel__content');
          const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
          for (let node; (node = walker.nextNode());) if (node.textContent.trim()) texts.push(node.textContent.trim());
          return texts;
        })"""
    )


def on_last_page(page):
    """Whether the screen shown is a panel's last page ("3 of 12", or "3 of 12 (page 2 of 2)")."""
    text = page.locator(PROGRESS).inner_text()
    if "page" not in text:
        return True
    shown, _, count = text.split("(page ")[1].rstrip(")").partition(" of ")
    return shown == count


def screens(page):
    """Walk every screen with Page Down, from the first; yield after arriving at each."""
    page.keyboard.press("Home")
    while True:
        yield page.locator(PROGRESS).inner_text()
        before = page.locator(PROGRESS).inner_text()
        page.keyboard.press("PageDown")
        if page.locator(PROGRESS).inner_text() == before:
            return


@pytest.fixture
def exit_url(live_server, transactional_db):
    site = SiteSettings.load()
    site.exit_url = live_server.url + "/healthz/?exit"
    site.save()
    return site.exit_url


@pytest.mark.django_db(transaction=True)
def test_presenting_the_demo_seven_minute_briefing_with_the_keyboard_then_escape(browser, live_server, demo_content):
    briefing = Briefing.objects.get(slug=DEMO)
    questions = list(briefing.questions.values_list("text", flat=True))
    total = 1 + 7 + (1 if briefing.key_facts.exists() else 0) + len(questions) + 1
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(live_server.url + briefing.get_absolute_url())
    page.get_by_role("link", name="Present in a team meeting").click()
    expect(page.locator(PROGRESS)).to_have_text(f"1 of {total}")
    expect(page.locator(PANEL).locator(".present-panel__title")).to_have_text(briefing.title)
    # The timer runs: its text moves on from where it started.
    expect(page.locator(TIME)).to_have_text("0:00 of 7:00")
    expect(page.locator(TIME)).not_to_have_text("0:00 of 7:00")
    # Through the seven panels with the keys a clicker sends.
    keys = ["ArrowRight", "PageDown", " ", "ArrowDown", "PageDown", "ArrowRight", "PageDown"]
    for section, key in zip(briefing.sections.all(), keys, strict=True):
        page.keyboard.press(key)
        expect(page.locator(PANEL).locator("h2")).to_contain_text(section.heading)
        # A panel too long for one screen is shown as pages: the same key goes through them first.
        while not on_last_page(page):
            page.keyboard.press(key)
    page.keyboard.press("PageDown")
    expect(page.locator(PANEL).locator("h2")).to_have_text("Key facts")
    while not on_last_page(page):
        page.keyboard.press("PageDown")
    for number, text in enumerate(questions, start=1):
        page.keyboard.press("PageDown")
        expect(page.locator(PANEL).locator("h2")).to_have_text(f"Question {number} of {len(questions)}")
        expect(page.locator(PANEL)).to_contain_text(text)
    expect(page.locator(TIME)).not_to_have_text("0:00 of 7:00")
    page.keyboard.press("PageDown")
    expect(page.locator(PROGRESS)).to_have_text(f"{total} of {total}")
    record = page.get_by_role("link", name="Record that your team discussed this briefing")
    expect(record).to_have_attribute("href", f"/briefings/{DEMO}/record/")
    # Back one with PageUp, to the start with Home, to the end with End.
    page.keyboard.press("PageUp")
    expect(page.locator(PANEL).locator("h2")).to_have_text(f"Question {len(questions)} of {len(questions)}")
    page.keyboard.press("Home")
    expect(page.locator(PROGRESS)).to_have_text(f"1 of {total}")
    page.keyboard.press("End")
    expect(page.locator(PROGRESS)).to_have_text(f"{total} of {total}")
    with page.expect_navigation(url=live_server.url + briefing.get_absolute_url()):
        page.keyboard.press("Escape")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_timer_pauses_resets_and_other_kinds_get_a_plain_elapsed_time(page, live_server):
    review = BriefingFactory(kind=Briefing.Kind.THEMATIC_REVIEW, sections=2)
    page.clock.install()
    page.goto(live_server.url + f"/briefings/{review.slug}/present/")
    expect(page.locator(TIME)).to_have_text("0:00")
    page.clock.run_for(65_000)
    expect(page.locator(TIME)).to_have_text("1:05")
    pause = page.get_by_role("button", name="Pause the timer")
    pause.click()
    expect(page.get_by_role("button", name="Resume the timer")).to_have_attribute("aria-pressed", "true")
    page.clock.run_for(30_000)
    expect(page.locator(TIME)).to_have_text("1:05")
    page.get_by_role("button", name="Resume the timer").click()
    page.clock.run_for(10_000)
    expect(page.locator(TIME)).to_have_text("1:15")
    page.get_by_role("button", name="Reset the timer").click()
    expect(page.locator(TIME)).to_have_text("0:00")
    # The on-screen buttons move between screens too.
    page.get_by_role("button", name="Next screen").click()
    expect(page.locator(PROGRESS)).to_have_text("2 of 4")
    page.get_by_role("button", name="Previous screen").click()
    expect(page.locator(PROGRESS)).to_have_text("1 of 4")


@pytest.mark.django_db(transaction=True)
def test_seven_minute_timer_shows_when_the_time_is_up(page, live_server):
    briefing = BriefingFactory()
    page.clock.install()
    page.goto(live_server.url + f"/briefings/{briefing.slug}/present/")
    page.clock.run_for(7 * 60_000 + 5_000)
    expect(page.locator(TIME)).to_have_text("7:05 of 7:00")
    expect(page.locator(".presenter-timer")).to_have_class("presenter-timer is-over")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [LAPTOP, SCREEN], ids=["1366x768", "1920x1080"])
def test_the_demo_is_readable_from_the_back_of_a_room(browser, live_server, demo_content, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_server.url + f"/briefings/{DEMO}/present/")
    problems = {}
    for where in screens(page):
        metrics = page.evaluate(TEXT_METRICS)
        small = [m for m in metrics if m["body"] and m["px"] < 28]
        faint = [m for m in metrics if m["ratio"] < 7]
        layout = page.evaluate(LAYOUT_PROBLEMS)["problems"]
        if small or faint or layout:
            problems[where] = {"small": small, "faint": faint, "layout": layout}
    context.close()
    assert not problems, problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [LAPTOP, SCREEN], ids=["1366x768", "1920x1080"])
def test_long_panels_fit_without_scrolling_and_nothing_is_lost(browser, live_server, viewport):
    sentence = "A neglected child’s daily life is shaped by what the adults around them notice and do. "
    long_panel = (
        "\n\n".join(sentence * 4 for _ in range(4)) + "\n\n" + "\n".join(f"- point {n}: {sentence}" for n in range(6))
    )
    very_long = "\n\n".join(sentence * 6 for _ in range(12))
    one_paragraph = sentence * 60
    table = "| Age | What we saw |\n|---|---|\n" + "\n".join(f"| {n} | {sentence} |" for n in range(12))
    briefing = BriefingFactory(
        sections=[("Short", "Just one line."), ("Long", long_panel), ("Very long", very_long),
                  ("One long paragraph", one_paragraph), ("A long table", table)],
        questions=[sentence * 3],
        key_facts=[(f"{n}0%", sentence, "Local audit 2025") for n in range(1, 7)],
    )  # fmt: skip
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_server.url + f"/briefings/{briefing.slug}/present/")
    expected = all_panel_text(page)
    problems, seen, sizes = {}, {}, {}
    for where in screens(page):
        result = page.evaluate(LAYOUT_PROBLEMS)
        if result["problems"]:
            problems[where] = result["problems"]
        panel = int(where.split(" of ")[0]) - 1
        seen.setdefault(panel, set()).update(result["shown"])
        sizes[where] = result["size"]
    context.close()
    assert not problems, problems
    # Every piece of text of every panel was wholly on screen at some point.
    missing = {
        n: set(texts) - seen.get(n, set()) for n, texts in enumerate(expected) if set(texts) - seen.get(n, set())
    }
    assert not missing, missing
    # Long panels are never shrunk below 28 px: they are shown as pages instead.
    assert min(sizes.values()) >= 28, sizes
    assert any("page 2 of" in where for where in sizes), list(sizes)


@pytest.mark.django_db(transaction=True)
def test_quick_exit_still_works_in_presenter_mode(page, live_server, exit_url):
    briefing = BriefingFactory()
    page.goto(live_server.url + "/healthz/?before")
    page.goto(live_server.url + f"/briefings/{briefing.slug}/present/")
    page.keyboard.press("ArrowRight")
    expect(page.locator(PROGRESS)).to_have_text("2 of 9")
    page.keyboard.press("Shift")
    expect(page.locator("#exit-this-page-status")).to_have_text("Shift, press 2 more times to exit.")
    page.keyboard.press("Shift")
    with page.expect_navigation(url=exit_url):
        page.keyboard.press("Shift")
    page.go_back()
    assert page.url == live_server.url + "/healthz/?before"
    page.goto(live_server.url + f"/briefings/{briefing.slug}/present/")
    with page.expect_navigation(url=exit_url):
        page.get_by_role("link", name="Emergency Exit this page").click()


@pytest.mark.django_db(transaction=True)
def test_full_screen_on_request_and_escape_leaves_it_first(page, live_server):
    briefing = BriefingFactory()
    page.goto(live_server.url + f"/briefings/{briefing.slug}/present/")
    button = page.get_by_role("button", name="Full screen")
    button.click()
    page.wait_for_function("document.fullscreenElement !== null")
    expect(page.get_by_role("button", name="Leave full screen")).to_have_attribute("aria-pressed", "true")
    # Escape in full screen never leaves presenter mode: the browser may keep it to leave full screen.
    page.keyboard.press("Escape")
    expect(page.locator(PROGRESS)).to_have_text("1 of 9")
    assert page.url.endswith("/present/")
    if page.evaluate("document.fullscreenElement !== null"):
        page.get_by_role("button", name="Leave full screen").click()
    page.wait_for_function("document.fullscreenElement === null")
    expect(page.get_by_role("button", name="Full screen")).to_have_attribute("aria-pressed", "false")
    with page.expect_navigation(url=live_server.url + briefing.get_absolute_url()):
        page.keyboard.press("Escape")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_panels_read_one_after_another(browser, live_server):
    briefing = BriefingFactory(questions=2)
    context = browser.new_context(java_script_enabled=False, viewport=LAPTOP)
    page = context.new_page()
    page.goto(live_server.url + f"/briefings/{briefing.slug}/present/")
    panels = page.locator("[data-present-panel]")
    expect(panels).to_have_count(1 + 7 + 2 + 1)
    for n in range(panels.count()):
        expect(panels.nth(n)).to_be_visible()
    expect(page.locator("[data-presenter-controls]")).to_be_hidden()
    expect(page.get_by_role("link", name="Record that your team discussed this briefing")).to_be_visible()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_no_axe_violations_on_any_presenter_screen(page, live_server):
    briefing = BriefingFactory(
        questions=2, key_facts=2, sections=[("Background", "Some | table\n|---|---|\n| 1 | 2 |")]
    )
    page.goto(live_server.url + f"/briefings/{briefing.slug}/present/")
    axe = Axe()
    found = {}
    for where in screens(page):
        results = axe.run(page, options={"resultTypes": ["violations"]})
        if results.violations_count:
            found[where] = results.generate_report()
    assert not found, found
