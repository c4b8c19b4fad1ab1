"""The team meeting pack and its PDF (WeasyPrint): what a team needs in the meeting, on paper (issue 18)."""

import io
import re
from html import unescape
from unittest import mock

import pypdfium2
import pytest
import zxingcpp
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from briefings import print_views
from briefings.models import Briefing
from tests.factories import BriefingFactory, CourseFactory, PrintBriefingFactory, SessionFactory

# The bottom margin of the @page rule in static/css/print.css, in points: the running footer sits in it.
BOTTOM_MARGIN = 12 / 25.4 * 72


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def pack_url(briefing):
    return reverse("briefings:team-pack", args=[briefing.slug])


def pack_pdf_url(briefing):
    return reverse("briefings:team-pack-pdf", args=[briefing.slug])


def squash(text):
    return " ".join(text.replace("\u2019", "'").split())


def footers(pdf):
    """The text of each page's foot (below the bottom margin line), whitespace squashed."""
    feet = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        parts = []

        def visit(text, cm, tm, _font, _size, parts=parts):
            if tm[4] * cm[1] + tm[5] * cm[3] + cm[5] < BOTTOM_MARGIN:
                parts.append(text)

        page.extract_text(visitor_text=visit)
        # Margin boxes may wrap a long address anywhere: compare without the line breaks.
        feet.append(squash(" ".join(parts)))
    return feet


def version_of(briefing):
    changed = timezone.localtime(Briefing.objects.get(pk=briefing.pk).updated_at)
    return f"{changed.day} {changed:%B %Y}"


def decoded_qr_codes(pdf, page_number):
    """The texts of the QR codes on one page of a PDF, rasterised at 150 dpi and read with ZXing."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page_number - 1].render(scale=150 / 72).to_pil()
    finally:
        document.close()
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.django_db
def test_seven_minute_pack_pdf_is_three_pages_with_name_address_and_version_on_every_page(client):
    briefing = PrintBriefingFactory(courses=[CourseFactory(title="Graded Care Profile 2")])
    response = client.get(pack_pdf_url(briefing))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{briefing.slug}-team-pack.pdf"'
    feet = footers(response.content)
    assert len(feet) == 3
    address = f"http://testserver/briefings/{briefing.slug}/"
    for number, foot in enumerate(feet, start=1):
        assert f"{briefing.title} · " in foot
        assert address in foot.replace(" ", "")
        assert f"Version of {version_of(briefing)}" in foot
        assert f"Page {number} of 3" in foot
    # The briefing keeps to its one page; the questions and the record sheet follow on pages of their own.
    pages = [squash(page.extract_text()) for page in PdfReader(io.BytesIO(response.content)).pages]
    assert pages[1].startswith("Questions for your team")
    assert pages[2].startswith("Record sheet")
    assert "Training linked to this learning Graded Care Profile 2" in pages[2]


@pytest.mark.django_db
def test_record_sheet_qr_code_in_the_pack_pdf_decodes_to_the_record_form_of_this_briefing(client):
    briefing = PrintBriefingFactory()
    pdf = client.get(pack_pdf_url(briefing)).content
    assert decoded_qr_codes(pdf, 3) == [f"http://testserver/briefings/{briefing.slug}/record/"]
    assert decoded_qr_codes(pdf, 1) == []


@pytest.mark.django_db
def test_record_sheet_gives_the_record_form_address_in_words_and_the_qr_code_as_inline_svg(client):
    briefing = PrintBriefingFactory()
    html = client.get(pack_url(briefing), HTTP_HOST="portal.example.org").content.decode()
    sheet = html[html.index('<section class="record-sheet"') :]
    address = f"http://portal.example.org/briefings/{briefing.slug}/record/"
    assert f'<a href="{address}" class="print-no-url record-sheet__url">{address}</a>' in sheet
    svg = re.search(r"<svg [^>]*>.*?</svg>", sheet, re.S).group(0)
    assert 'aria-hidden="true"' in svg and "<path" in svg
    # Drawn on the server: no image or script from anywhere else, and nothing the CSP would block.
    assert "style=" not in svg and "<img" not in sheet and "<script" not in sheet


@pytest.mark.django_db
def test_team_pack_lists_linked_training_with_next_sessions_and_booking_links_written_out(client):
    course = CourseFactory(title="Graded Care Profile 2", booking_url="https://learning.example.org/gcp2")
    SessionFactory(course=course, days=12, location="Partnership Learning Centre")
    SessionFactory(course=course, days=20, booking_url="https://learning.example.org/gcp2-march")
    SessionFactory(course=course, days=-5)  # over
    SessionFactory(course=course, days=30, status="cancelled")
    SessionFactory(course=course, days=31, status="full")
    without_dates = CourseFactory(title="Neglect for new starters", booking_url="https://learning.example.org/new")
    hidden = CourseFactory(title="A draft course", draft=True)
    briefing = PrintBriefingFactory(courses=[course, without_dates, hidden])
    html = unescape(client.get(pack_url(briefing)).content.decode())
    training = html[html.index('class="linked-training team-pack__training"') :]
    assert "Graded Care Profile 2" in training and "Neglect for new starters" in training
    assert "A draft course" not in training
    assert f"http://testserver{course.get_absolute_url()}" in training
    gcp2 = training[training.index("Graded Care Profile 2") : training.index("Neglect for new starters")]
    # The next bookable sessions only (not the past, cancelled or full ones), each with its date.
    assert gcp2.count("; ") == 1 and "Partnership Learning Centre" in gcp2
    assert '(<a href="https://learning.example.org/gcp2-march">book this date</a>)' in gcp2
    link = '<a href="https://learning.example.org/gcp2" class="print-no-url">https://learning.example.org/gcp2</a>'
    assert f"Book a place: {link}" in gcp2
    assert "No dates are set yet" in training and "https://learning.example.org/new" in training


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "fits"),
    [
        (Briefing.Kind.SEVEN_MINUTE_BRIEFING, "take about seven minutes"),
        (Briefing.Kind.THEMATIC_REVIEW, "what it found and its recommendations"),
        (Briefing.Kind.AUDIT_FINDINGS, "what the audit found"),
    ],
)
def test_team_pack_wording_fits_the_kind_of_briefing(client, kind, fits):
    html = client.get(pack_url(BriefingFactory(kind=kind, questions=2))).content.decode()
    assert fits in html
    if kind != Briefing.Kind.SEVEN_MINUTE_BRIEFING:
        assert "seven minutes" not in html and "7 minutes" not in html


@pytest.mark.django_db
def test_team_pack_has_fewer_lines_to_write_on_when_there_are_many_questions(client):
    few = client.get(pack_url(BriefingFactory(questions=3))).content.decode()
    many = client.get(pack_url(BriefingFactory(questions=8))).content.decode()
    assert few.count('class="write-space__line"') == 3 * 5
    assert many.count('class="write-space__line"') == 8 * 2


@pytest.mark.django_db
def test_running_footer_stylesheet_quotes_any_title_safely(client):
    briefing = BriefingFactory(title='Neglect "at home" \\ a review}; @import url(x); ' + "x" * 150)
    response = client.get(reverse("briefings:team-pack-css", args=[briefing.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    content = re.search(r'content: "((?:[^"\\]|\\[0-9a-f]+ )*)";', css).group(1)
    assert content.startswith("Neglect \\22 at home\\22  \\5c  a review}; @import url(x); xxx")
    title = content.split(" · ")[0]
    assert title.endswith("x…") and len(title) < 80  # a long title is shortened to fit the foot of the page
    assert f"· http://testserver/briefings/{briefing.slug}/ · Version of {version_of(briefing)}" in content
    assert css.count("@page") == 1 and css.count("{") == 2


@pytest.mark.django_db
def test_team_pack_pdf_and_stylesheet_of_a_draft_are_404_for_the_public_and_made_for_staff(staff_client):
    briefing = PrintBriefingFactory(draft=True, published=None)
    public = Client()
    assert public.get(pack_pdf_url(briefing)).status_code == 404
    assert public.get(reverse("briefings:team-pack-css", args=[briefing.slug])).status_code == 404
    response = staff_client.get(pack_pdf_url(briefing))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Draft" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


@pytest.mark.django_db
def test_team_pack_pdf_is_cached_until_the_briefing_or_its_courses_change(client):
    course = CourseFactory(title="Graded Care Profile 2")
    briefing = PrintBriefingFactory(courses=[course])
    with mock.patch.object(print_views, "html_to_pdf", wraps=print_views.html_to_pdf) as render:
        first = client.get(pack_pdf_url(briefing)).content
        assert client.get(pack_pdf_url(briefing)).content == first
        assert render.call_count == 1
        SessionFactory(course=course, days=15, location="Town Hall annexe")
        assert "Town Hall annexe" in squash(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(pack_pdf_url(briefing)).content)).pages)
        )
        assert render.call_count == 2
        # The briefing's own PDF is another file, cached apart.
        client.get(reverse("briefings:pdf", args=[briefing.slug]))
        assert render.call_count == 3
