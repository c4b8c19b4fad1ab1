"""axe-core finds no WCAG 2.2 A or AA violation on any public page type, in every colour scheme, at two widths."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import briefing_with_four_themes, public_pages

# Every WCAG 2.0-2.2 A and AA rule and best practice; axe leaves WCAG 2.2's target size (2.5.8) off
# unless asked, so it is switched on by name.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
STANDARD = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": TAGS},
            "rules": {"target-size": {"enabled": True}}}  # fmt: skip
# High contrast promises 7:1 text (WCAG 1.4.6, AAA), so check that rule too.
HIGH_CONTRAST = {**STANDARD, "rules": {"target-size": {"enabled": True}, "color-contrast-enhanced": {"enabled": True}}}
WIDTHS = [320, 1280]


def violations_on_every_page(page, base, options):
    axe = Axe()
    found = {}
    for label, path in public_pages():
        response = page.goto(base + path)
        expected = 404 if label == "not found" else 200
        if response.status != expected:
            found[f"{label} {path}"] = f"HTTP {response.status}, expected {expected}"
            continue
        results = axe.run(page, options=options)
        if results.violations_count:
            found[f"{label} {path}"] = results.generate_report()
    return found


def report(found):
    return "\n\n".join(f"== {where}\n{text}" for where, text in found.items())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_axe_violations_on_any_page_type(browser, live_server, demo_content, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    found = violations_on_every_page(context.new_page(), live_server.url, STANDARD)
    context.close()
    assert not found, report(found)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("chosen_by", ["toggle", "system"])
def test_no_axe_violations_on_any_page_type_in_high_contrast(browser, live_server, demo_content, width, chosen_by):
    """High contrast chosen with the site's toggle (a cookie) or asked for by the system (prefers-contrast)."""
    context = browser.new_context(
        viewport={"width": width, "height": 800}, contrast="more" if chosen_by == "system" else "no-preference"
    )
    if chosen_by == "toggle":
        context.add_cookies([{"name": "contrast", "value": "high", "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/")
    text = page.evaluate("getComputedStyle(document.body).color")
    assert text == "rgb(255, 255, 255)", f"high contrast is not on ({chosen_by}): text is {text}"
    found = violations_on_every_page(page, live_server.url, HIGH_CONTRAST)
    context.close()
    assert not found, report(found)


# Elements that reach past the right edge, outside any box that is meant to scroll sideways.
OVERFLOWING = """(() => [...document.body.querySelectorAll('*')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(el => !el.closest('.table-wrap, pre, .visually-hidden, .skip-link'))
  .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')))()"""


@pytest.mark.django_db(transaction=True)
def test_no_horizontal_scroll_at_320_css_pixels_on_any_page_type(browser, live_server, demo_content):
    """320 CSS pixels is a phone, and also a 1280-pixel window at 400% zoom (WCAG 1.4.10)."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    wide = {}
    for label, path in public_pages():
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[f"{label} {path}"] = (width, page.evaluate(OVERFLOWING))
    context.close()
    assert not wide, wide


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [320, 390])
def test_a_review_s_theme_links_are_targets_of_24_pixels_at_phone_width(browser, live_server, width):
    """WCAG 2.2 target size (2.5.8), which axe lets pass for links it takes for words in a sentence."""
    briefing = briefing_with_four_themes()
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + briefing.get_absolute_url())
    boxes = page.eval_on_selector_all(
        ".briefing-meta__themes a",
        "links => links.map(a => { const r = a.getBoundingClientRect(); return [r.width, r.height] })",
    )
    context.close()
    assert len(boxes) == 4
    assert all(w >= 24 and h >= 24 for w, h in boxes), boxes
