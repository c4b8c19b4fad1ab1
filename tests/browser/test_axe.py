"""axe-core finds no accessibility violations on any public page type, in either colour scheme."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import public_pages

# Every rule axe runs by default (WCAG 2.0-2.2 A and AA, and best practice).
STANDARD = {"resultTypes": ["violations"]}
# High contrast promises 7:1 text (WCAG 1.4.6, AAA), so check that rule too.
HIGH_CONTRAST = {"resultTypes": ["violations"], "rules": {"color-contrast-enhanced": {"enabled": True}}}


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


@pytest.mark.django_db(transaction=True)
def test_no_axe_violations_on_any_page_type(page, live_server, demo_content):
    found = violations_on_every_page(page, live_server.url, STANDARD)
    assert not found, "\n\n".join(f"== {where}\n{report}" for where, report in found.items())


@pytest.mark.django_db(transaction=True)
def test_no_axe_violations_on_any_page_type_in_high_contrast(page, live_server, demo_content):
    page.context.add_cookies([{"name": "contrast", "value": "high", "url": live_server.url}])
    page.goto(live_server.url + "/")
    assert "high-contrast" in page.evaluate("document.documentElement.className")
    found = violations_on_every_page(page, live_server.url, HIGH_CONTRAST)
    assert not found, "\n\n".join(f"== {where}\n{report}" for where, report in found.items())


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
