"""Print parity: the server's PDF (WeasyPrint) and Chromium's A4 print lay out every briefing alike.

Each page is read back with pypdf: its text, and how far down the page its lowest line of text
sits. For a briefing and its team pack the two renderers must give the same number of pages and,
at every page break, the same words before it within a line or two; in both, no page but the last
may be left less than a quarter used, unless the page after it starts with a part that the layout
always starts on a new page (the team pack's questions and record sheet).

`make test` prints a short sample of shapes; `make test-print-corpus` prints the whole grid.
"""

import io
import random
import re
import urllib.request
from collections import Counter
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from briefings.models import Briefing
from briefings.print_views import html_to_pdf
from tests.factories import BriefingFactory, CourseFactory, SessionFactory
from tests.print_content import section_body, shaped, words

# A4 and the margins of the @page rule in static/css/print.css, in points.
PAGE_HEIGHT = 841.89
TOP_MARGIN = 10 / 25.4 * 72
BOTTOM_MARGIN = 12 / 25.4 * 72
PRINTABLE = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN
LEAST_USED = 0.25
# "Within a line or two" at a page break: two full-width lines of body text, or a few lines of a
# 7-minute briefing's narrow columns, where one line wrapped differently moves the rest of a page.
WORDS_MOVED = 30
# Parts of the team pack that always start a new page, so the page before them may be short.
FORCED_BREAKS = ("Questions for your team", "Record sheet")

SEVEN = Briefing.Kind.SEVEN_MINUTE_BRIEFING
THEMATIC = Briefing.Kind.THEMATIC_REVIEW
AUDIT = Briefing.Kind.AUDIT_FINDINGS


@dataclass
class Page:
    text: str  # words, lower case, single spaces
    used: float  # share of the printable height down to the lowest line of text

    @property
    def words(self):
        return Counter(self.text.split())


def read_pages(pdf):
    """Each page's text (without the page number in the foot) and how much of its height is used."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        parts, heights = [], [PAGE_HEIGHT - TOP_MARGIN]

        def visit(text, cm, tm, _font, _size, parts=parts, heights=heights):
            # Where the text starts on the page: its text matrix, then the current transformation.
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if y < BOTTOM_MARGIN - 2:
                return  # "Page n of m", in the bottom margin
            parts.append(text)
            if text.strip():
                heights.append(y)

        page.extract_text(visitor_text=visit)
        used = (PAGE_HEIGHT - TOP_MARGIN - min(heights)) / PRINTABLE
        pages.append(Page(text=" ".join(_words("".join(parts))), used=round(max(0.0, used), 3)))
    return pages


def _words(text):
    text = text.replace("\u2019", "'").replace("\u00ad", "")
    return [word for word in re.split(r"[^\w%']+", text.lower()) if word.strip("'")]


def words_moved(first, second):
    """At each page break, how many words are before it in one rendering and after it in the other."""
    moved, before_first, before_second = [], Counter(), Counter()
    for a, b in zip(first[:-1], second[:-1], strict=False):
        before_first += a.words
        before_second += b.words
        moved.append(max(sum((before_first - before_second).values()), sum((before_second - before_first).values())))
    return moved


def nearly_empty_pages(pages):
    """Pages, counted from 1, less than a quarter used though more follows (except before a forced break)."""
    forced = [" ".join(_words(heading)) for heading in FORCED_BREAKS]
    return [
        n
        for n, page in enumerate(pages[:-1], start=1)
        if page.used < LEAST_USED and not any(pages[n].text.startswith(words) for words in forced)
    ]


def chromium_pages(page, url):
    page.goto(url)
    page.emulate_media(media="print")
    return read_pages(page.pdf(format="A4", prefer_css_page_size=True))


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (the test's own live server)
        return response.read()


def weasyprint_pages(base, path):
    """The PDF as the site makes it: the briefing's own PDF, or the page laid out by the same function."""
    if path.endswith(".pdf"):
        return read_pages(fetch(base + path))
    return read_pages(html_to_pdf(fetch(base + path).decode(), base_url=base + "/"))


def check_print(page, base, path, pdf_path=None):
    """Problems with this page's print in Chromium and in WeasyPrint (an empty list when there are none)."""
    chromium = chromium_pages(page, base + path)
    weasyprint = weasyprint_pages(base, pdf_path or path)
    found = []
    if len(chromium) != len(weasyprint):
        found.append(f"{path}: Chromium prints {len(chromium)} pages, WeasyPrint {len(weasyprint)}")
    else:
        moved = words_moved(chromium, weasyprint)
        if moved and max(moved) > WORDS_MOVED:
            found.append(f"{path}: words moved across each page break {moved}")
    for name, pages in (("Chromium", chromium), ("WeasyPrint", weasyprint)):
        if empty := nearly_empty_pages(pages):
            found.append(f"{path}: {name} leaves pages {empty} nearly empty (used {[p.used for p in pages]})")
    return found


# --- The shape from the issue: one long panel with a list, nothing else ---

ISSUE_SHAPE = {"panels": 1, "panel_words": 280, "bullets": 8, "key_facts": 0, "questions": 0, "resources": 0}


@pytest.mark.django_db(transaction=True)
def test_one_long_panel_with_a_list_prints_on_the_same_pages_with_the_panel_on_page_one(page, live_server):
    briefing = BriefingFactory(**shaped(**ISSUE_SHAPE))
    chromium = chromium_pages(page, live_server.url + briefing.get_absolute_url())
    weasyprint = weasyprint_pages(live_server.url, f"/briefings/{briefing.slug}.pdf")
    assert len(chromium) == len(weasyprint) == 1
    for pages in (chromium, weasyprint):
        assert " ".join(_words(briefing.title)) in pages[0].text
        assert "1 panel 1" in pages[0].text
        assert " ".join(_words(section_body(280, 0).split("\n")[0]))[-60:] in pages[0].text


# --- The generated corpus ---


def grid(count, seed):
    """`count` briefing shapes drawn from the whole range, the same ones every run."""
    draw = random.Random(seed)
    return [
        {
            "kind": draw.choice([SEVEN, SEVEN, THEMATIC, AUDIT]),
            "panels": draw.randint(1, 12),
            "panel_words": draw.choice([20, 60, 150, 300, 500, 800]),
            "bullets": draw.choice([0, 0, 3, 8, 15]),
            "table": draw.random() < 0.3,
            "quotes": draw.random() < 0.3,
            "key_facts": draw.randint(0, 6),
            "questions": draw.randint(0, 8),
            "title_length": draw.choice([12, 40, 90, 200]),
            "resources": draw.randint(0, 3),
            "seed": seed * 1000 + n,
        }
        for n in range(count)
    ]


# Chosen to cover what went wrong before: a panel that does not fit the space left, columns
# running over several pages with lists, tables and key facts, a long flowing review with a
# table, a pack whose briefing part just spills on to another page before its questions, and a
# long 7-minute briefing (too long for its sheet, so it flows like a review).
SAMPLE = [
    {
        "panels": 1,
        "panel_words": 500,
        "bullets": 8,
        "quotes": True,
        "key_facts": 6,
        "questions": 0,
        "title_length": 200,
    },
    {"panels": 7, "panel_words": 200, "bullets": 6, "table": True, "key_facts": 3, "questions": 6},
    {"kind": THEMATIC, "panels": 4, "panel_words": 300, "bullets": 5, "table": True, "key_facts": 4, "questions": 8},
    {"panels": 12, "panel_words": 20, "key_facts": 0, "questions": 2, "resources": 3, "title_length": 90},
    # Five long panels with quotations: as a sheet of columns over five pages, its pages drifted apart
    # by up to 45 words between Chromium and WeasyPrint (corpus shape 20033).
    {
        "panels": 5,
        "panel_words": 500,
        "quotes": True,
        "key_facts": 6,
        "questions": 8,
        "title_length": 12,
        "resources": 0,
        "seed": 20033,
    },
]


def check_briefing(page, live_server, shape):
    briefing = BriefingFactory(**shaped(**shape))
    base, path = live_server.url, briefing.get_absolute_url()
    return check_print(page, base, path, pdf_path=f"/briefings/{briefing.slug}.pdf") + check_print(
        page, base, f"/briefings/{briefing.slug}/team-pack/"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shape", SAMPLE, ids=lambda shape: "-".join(f"{v}" for v in shape.values()))
def test_sample_briefings_and_team_packs_print_alike_with_no_nearly_empty_page(page, live_server, shape):
    problems = check_briefing(page, live_server, {"seed": SAMPLE.index(shape), **shape})
    assert not problems, "\n".join(problems)


@pytest.mark.print_corpus
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shape", grid(40, seed=20), ids=lambda shape: str(shape["seed"]))
def test_corpus_briefings_and_team_packs_print_alike_with_no_nearly_empty_page(page, live_server, shape):
    problems = check_briefing(page, live_server, shape)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_long_course_prints_alike_with_no_nearly_empty_page(page, live_server):
    course = CourseFactory(
        title="Neglect: " + words(20, 3),
        description=section_body(900, 5, bullets=12, table=True),
        outcomes=[words(15, n) for n in range(10)],
    )
    for n in range(8):
        SessionFactory(course=course, days=10 + n, note=words(20, n))
    problems = check_print(page, live_server.url, course.get_absolute_url())
    assert not problems, "\n".join(problems)
