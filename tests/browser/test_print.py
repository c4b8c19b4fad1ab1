"""Print in Chromium: what a team manager gets from the browser's Print button."""

import io

import pytest
from pypdf import PdfReader

from briefings.models import Briefing
from tests.factories import PrintBriefingFactory
from tests.print_content import (
    AUDIT_SECTIONS,
    SEVEN_MINUTE_QUESTIONS,
    SEVEN_MINUTE_SECTIONS,
    THEMATIC_SECTIONS,
    long_sections,
)

DEMO_SEVEN_MINUTE = "/briefings/neglect-learning-from-serious-case-reviews/"


def print_to_pdf(page, url):
    """Load a page and print it as Chromium does to A4; return the pages' text, whitespace normalised."""
    page.goto(url)
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    # Questions are inline Markdown, whose typography turns ' into ’: compare with plain apostrophes.
    return [" ".join((p.extract_text() or "").replace("\u2019", "'").split()) for p in reader.pages]


def computed(page, selector, prop):
    return page.eval_on_selector_all(selector, f"els => els.map(el => getComputedStyle(el).getPropertyValue('{prop}'))")


@pytest.mark.django_db(transaction=True)
def test_demo_seven_minute_briefing_prints_on_one_a4_page(page, live_server, demo_content):
    pages = print_to_pdf(page, live_server.url + DEMO_SEVEN_MINUTE)
    assert len(pages) == 1
    assert "Neglect: learning from serious case reviews" in pages[0]
    for heading in ["Background", "Why it matters", "What to do", "Key facts", "Questions to discuss"]:
        assert heading in pages[0]


@pytest.mark.django_db(transaction=True)
def test_realistic_seven_minute_briefing_prints_on_one_page_as_numbered_panels(page, live_server):
    briefing = PrintBriefingFactory()
    pages = print_to_pdf(page, live_server.url + briefing.get_absolute_url())
    assert len(pages) == 1
    for number, (heading, _body) in enumerate(SEVEN_MINUTE_SECTIONS, start=1):
        assert f"{number} {heading}" in pages[0]
    for question in SEVEN_MINUTE_QUESTIONS:
        assert question in pages[0]
    # Laid out as a sheet: the numbered panels sit side by side in columns.
    lefts = {
        round(x)
        for x in page.eval_on_selector_all(
            ".seven-minute-grid__item", "els => els.map(e => e.getBoundingClientRect().left)"
        )
    }
    assert len(lefts) >= 2
    assert float(computed(page, ".section-number", "font-size")[0].removesuffix("px")) >= 16


@pytest.mark.django_db(transaction=True)
def test_long_seven_minute_briefing_flows_on_to_more_pages_without_losing_text(page, live_server):
    sections = long_sections()
    briefing = PrintBriefingFactory(title="A very long briefing", sections=sections)
    pages = print_to_pdf(page, live_server.url + briefing.get_absolute_url())
    assert len(pages) > 1
    text = " ".join(pages)
    for number, (heading, _body) in enumerate(sections, start=1):
        assert heading in text
        assert f"This is the final sentence of section {number}." in text
    # Readable: body text never below 9pt (12px) in print.
    sizes = computed(page, ".briefing-section p, .briefing-section li, .discussion-questions li", "font-size")
    assert sizes and min(float(size.removesuffix("px")) for size in sizes) >= 12
    # Nothing clipped: no panel hides its overflow or has a fixed height.
    assert set(computed(page, ".seven-minute-grid__item, .briefing-section", "overflow-y")) == {"visible"}


@pytest.mark.django_db(transaction=True)
def test_navigation_exit_control_and_buttons_are_absent_from_print(page, live_server):
    briefing = PrintBriefingFactory()
    pages = print_to_pdf(page, live_server.url + briefing.get_absolute_url())
    for selector in [".site-nav", ".exit-this-page", "button", ".briefing-actions", ".emergency-line", ".skip-link"]:
        displays = computed(page, selector, "display")
        assert displays and set(displays) == {"none"}, selector
    text = " ".join(pages)
    for words in ["Exit this page", "Print this briefing", "Download as PDF", "Skip to main content", "Search"]:
        assert words not in text
    assert "In an emergency call 999" not in text


@pytest.mark.django_db(transaction=True)
def test_printed_briefing_carries_title_address_dates_and_the_real_print_date(page, live_server):
    briefing = PrintBriefingFactory()
    # The page was loaded before the day it is printed: the printed date is the day of printing.
    page.clock.set_fixed_time("2031-01-15T10:00:00")
    pages = print_to_pdf(page, live_server.url + briefing.get_absolute_url())
    text = pages[0]
    assert briefing.title in text
    assert f"{live_server.url}/briefings/{briefing.slug}/" in text
    assert "Published 1 May 2024" in text
    assert "Last reviewed 3 March 2025" in text
    assert "Next review due 1 May 2026" in text
    assert "Printed on 15 January 2031" in text


@pytest.mark.django_db(transaction=True)
def test_external_links_print_their_address_after_the_text(page, live_server):
    briefing = PrintBriefingFactory()
    text = "".join("".join(print_to_pdf(page, live_server.url + briefing.get_absolute_url())).split())
    # Long addresses may wrap anywhere, so compare without the line breaks.
    assert "neglecttoolkit(https://example.org/neglect-toolkit)" in text
    assert "Neglecttoolkit(https://example.org/neglect-toolkit)–Toolkit" in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False])
def test_a_link_whose_text_is_its_address_prints_the_address_once(browser, live_server, javascript):
    """The server marks the link, so browser print (with or without scripts) and the PDF print it alike."""
    sections = [("Where to start", "Read <https://example.org/bare-toolkit> first.")]
    briefing = PrintBriefingFactory(kind=Briefing.Kind.AUDIT_FINDINGS, sections=sections)
    context = browser.new_context(java_script_enabled=javascript)
    try:
        text = "".join("".join(print_to_pdf(context.new_page(), live_server.url + briefing.get_absolute_url())).split())
    finally:
        context.close()
    assert "Readhttps://example.org/bare-toolkitfirst." in text
    assert "(https://example.org/bare-toolkit)" not in text


@pytest.mark.django_db(transaction=True)
def test_print_button_shows_with_javascript_and_prints(page, live_server):
    briefing = PrintBriefingFactory()
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    page.goto(live_server.url + briefing.get_absolute_url())
    button = page.get_by_role("button", name="Print this briefing")
    assert button.is_visible()
    button.click()
    assert page.evaluate("window.printed") == 1


@pytest.mark.django_db(transaction=True)
def test_print_button_is_hidden_without_javascript(browser, live_server):
    briefing = PrintBriefingFactory()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + briefing.get_absolute_url())
        assert page.locator("[data-print-button]").count() == 1
        assert not page.locator("[data-print-button]").is_visible()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_team_pack_prints_every_question_and_the_record_sheet(page, live_server):
    briefing = PrintBriefingFactory()
    pages = print_to_pdf(page, live_server.url + f"/briefings/{briefing.slug}/team-pack/")
    text = " ".join(pages)
    for question in SEVEN_MINUTE_QUESTIONS:
        assert question in text
    for words in ["Record sheet", "Team or service", "Date of meeting", "Facilitator", "Attendees", "Actions agreed"]:
        assert words in text
    for words in ["Action agreed", "Who by", "By when"]:
        assert words in text
    # The record sheet starts its own page, so it can be handed round and filed.
    assert any(p.startswith("Record sheet") or " Record sheet " in p[:400] for p in pages[1:])
    assert "Print this pack" not in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("kind", "sections"),
    [(Briefing.Kind.THEMATIC_REVIEW, THEMATIC_SECTIONS), (Briefing.Kind.AUDIT_FINDINGS, AUDIT_SECTIONS)],
)
def test_thematic_review_and_audit_print_with_all_their_sections(page, live_server, kind, sections):
    briefing = PrintBriefingFactory(title=f"Printed {kind}", kind=kind, sections=sections)
    text = " ".join(print_to_pdf(page, live_server.url + briefing.get_absolute_url())).replace("\u2019", "'")
    for heading, body in sections:
        assert heading in text
        assert " ".join(body.split()).split(". ")[0] in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path", ["/briefings/thematic-review-child-neglect-2024/", "/briefings/neglect-audit-findings/"]
)
def test_demo_thematic_review_and_audit_print_every_section_heading(page, live_server, demo_content, path):
    page.goto(live_server.url + path)
    headings = page.eval_on_selector_all(".briefing-section h2", "els => els.map(e => e.textContent.trim())")
    assert headings
    text = " ".join(print_to_pdf(page, live_server.url + path))
    for heading in headings:
        assert " ".join(heading.split()) in text
