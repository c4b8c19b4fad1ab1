"""The team meeting pack printed by Chromium and by WeasyPrint (its PDF): at most three A4 pages for a
7-minute briefing, the briefing's name, address and version date on every page, nothing cut, and a QR
code that opens the record form (issue 18)."""

import io
import re

import pytest
import zxingcpp
from PIL import Image

from briefings import body
from briefings.models import Briefing
from tests.briefings.test_team_pack import decoded_qr_codes, footers, version_of
from tests.browser.test_print_parity import _words, fetch, read_pages
from tests.factories import BriefingFactory, CourseFactory, SessionFactory
from tests.print_content import shaped


def chromium_pack(page, base, briefing):
    page.goto(f"{base}/briefings/{briefing.slug}/team-pack/")
    page.emulate_media(media="print")
    return page.pdf(format="A4", prefer_css_page_size=True)


def check_pack(pdf, base, briefing):
    """Problems with one rendering of a 7-minute briefing's pack (an empty list when there are none)."""
    found, feet = [], footers(pdf)
    pages = [page.text for page in read_pages(pdf)]  # without the foot
    if not 1 < len(pages) <= 3:
        found.append(f"{len(pages)} pages")
    elif not pages[1].startswith("questions for your team") or not pages[-1].startswith("record sheet"):
        found.append(f"the briefing does not keep to page 1: {[text[:40] for text in pages]}")
    for number, foot in enumerate(feet, start=1):
        if not (f"{briefing.title[:40]}" in foot and f"{base}/briefings/{briefing.slug}/" in foot.replace(" ", "")):
            found.append(f"page {number} does not name the briefing and its address: {foot!r}")
        if f"Version of {version_of(briefing)}" not in foot:
            found.append(f"page {number} has no version date: {foot!r}")
    whole = " ".join(pages)
    for section in briefing.sections.all():
        # The heading and the last words of the text (a table's cells may be read in another order).
        for words in (_words(section.heading), _words(re.sub(r"^\|.*$", "", section.body, flags=re.M))[-4:]):
            if " ".join(words) not in whole:
                found.append(f"section {section.heading!r} is cut: {' '.join(words)!r} not found")
    for question in briefing.questions.all():
        if " ".join(_words(question.text)) not in whole:
            found.append(f"question {question.text[:30]!r} is missing")
    return found


@pytest.mark.django_db(transaction=True)
def test_demo_seven_minute_packs_print_on_three_pages_at_most_in_chromium_and_weasyprint(
    page, live_server, demo_content
):
    briefings = Briefing.objects.published().filter(kind=Briefing.Kind.SEVEN_MINUTE_BRIEFING)
    assert briefings.exists()
    for briefing in briefings:
        chromium = chromium_pack(page, live_server.url, briefing)
        weasyprint = fetch(f"{live_server.url}/briefings/{briefing.slug}/team-pack.pdf")
        for name, pdf in (("Chromium", chromium), ("WeasyPrint", weasyprint)):
            problems = check_pack(pdf, live_server.url, briefing)
            assert not problems, f"{briefing.slug} in {name}: {problems}"


# Corpus shapes of a 7-minute briefing whose sheet fits a page in the pack (without its questions): few or
# many panels, a list, a table, key facts, up to eight questions, a long title, linked training. With its
# eight questions the first runs on to a second page when printed on its own, as the estimate says.
SHAPES = [
    {"panels": 7, "panel_words": 30, "bullets": 3, "key_facts": 2, "questions": 8, "title_length": 120, "seed": 0},
    {"panels": 3, "panel_words": 40, "table": True, "key_facts": 0, "questions": 0, "resources": 3, "seed": 1},
    {"panels": 1, "panel_words": 280, "bullets": 8, "key_facts": 0, "questions": 5, "resources": 0, "seed": 2},
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shape", SHAPES, ids=["many-questions", "table-no-questions", "one-long-panel"])
def test_seven_minute_packs_of_corpus_shapes_print_on_three_pages_at_most(page, live_server, shape):
    course = CourseFactory(title="Graded Care Profile 2: assessing neglect")
    SessionFactory(course=course, days=12)
    SessionFactory(course=course, days=40, is_online=True)
    briefing = BriefingFactory(**shaped(**shape), courses=[course])
    assert body.sheet_pages(briefing, questions=False) == 1, "the pack's sheet is estimated to fit page 1"
    page.goto(live_server.url + briefing.get_absolute_url())
    page.emulate_media(media="print")
    printed = len(read_pages(page.pdf(format="A4", prefer_css_page_size=True)))
    assert printed == body.sheet_pages(briefing), "the briefing prints on as many pages as estimated"
    chromium = chromium_pack(page, live_server.url, briefing)
    weasyprint = fetch(f"{live_server.url}/briefings/{briefing.slug}/team-pack.pdf")
    for name, pdf in (("Chromium", chromium), ("WeasyPrint", weasyprint)):
        problems = check_pack(pdf, live_server.url, briefing)
        assert not problems, f"{name}: {problems}"


@pytest.mark.django_db(transaction=True)
def test_record_sheet_qr_code_printed_by_chromium_decodes_to_the_record_form(page, live_server):
    briefing = BriefingFactory(questions=4)
    chromium = chromium_pack(page, live_server.url, briefing)
    record = f"{live_server.url}/briefings/{briefing.slug}/record/"
    assert decoded_qr_codes(chromium, 3) == [record]
    # As a reader's phone sees it on screen, too.
    page.emulate_media(media="screen")
    image = Image.open(io.BytesIO(page.locator(".record-sheet__qr").screenshot()))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [record]
