import io
from html import unescape
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from briefings import print_views
from briefings.models import Briefing, Resource
from portal.markdown import mark_bare_links, render_markdown
from tests.factories import PrintBriefingFactory, ResourceFactory
from tests.print_content import AUDIT_SECTIONS, SEVEN_MINUTE_QUESTIONS, SEVEN_MINUTE_SECTIONS, long_sections


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def team_pack_url(briefing):
    return reverse("briefings:team-pack", args=[briefing.slug])


def pdf_url(briefing):
    return reverse("briefings:pdf", args=[briefing.slug])


# --- Team meeting pack ---


@pytest.mark.django_db
def test_team_pack_shows_every_question_with_space_to_write(client):
    briefing = PrintBriefingFactory()
    response = client.get(team_pack_url(briefing))
    assert response.status_code == 200
    html = response.content.decode()
    # Questions are rendered as inline Markdown, so straight apostrophes become typographic ones.
    text = unescape(html).replace("\u2019", "'")
    for question in SEVEN_MINUTE_QUESTIONS:
        assert question in text
    assert html.count('class="write-space"') == len(SEVEN_MINUTE_QUESTIONS)


@pytest.mark.django_db
def test_team_pack_has_record_sheet_with_every_field(client):
    briefing = PrintBriefingFactory()
    html = client.get(team_pack_url(briefing)).content.decode()
    for label in ["Record sheet", "Briefing", "Team or service", "Date of meeting", "Facilitator"]:
        assert f">{label}<" in html
    assert ">Attendees (number, or roles)<" in html
    for column in ["Action agreed", "Who by", "By when"]:
        assert f'<th scope="col">{column}</th>' in html
    assert html.count("<tr><td></td><td></td><td></td></tr>") == 4
    # A record sheet separated from the pack still names the briefing and its version.
    version = timezone.localtime(Briefing.objects.get().updated_at)
    assert (
        f'<td class="record-sheet__briefing">{briefing.title} (version of {version.day} {version:%B %Y})</td>' in html
    )


@pytest.mark.django_db
def test_team_pack_includes_the_briefing_sections_and_key_fact(client):
    html = client.get(team_pack_url(PrintBriefingFactory())).content.decode()
    for heading, _body in SEVEN_MINUTE_SECTIONS:
        assert heading in html
    assert "60%" in html


@pytest.mark.django_db
def test_team_pack_is_a_page_with_one_h1_and_a_hidden_print_button(client):
    html = client.get(team_pack_url(PrintBriefingFactory())).content.decode()
    assert html.count("<h1") == 1
    assert '<button type="button" class="print-button" data-print-button hidden>' in html
    assert "js/site.js" in html
    assert "onclick" not in html and "<script>" not in html


@pytest.mark.django_db
def test_team_pack_offers_general_questions_when_briefing_has_none(client):
    html = client.get(team_pack_url(PrintBriefingFactory(questions=[]))).content.decode()
    assert "no questions of its own" in html
    assert html.count('class="write-space"') == len(print_views.GENERAL_QUESTIONS)


@pytest.mark.django_db
def test_team_pack_of_draft_is_404_for_the_public(client):
    briefing = PrintBriefingFactory(draft=True, published=None)
    assert client.get(team_pack_url(briefing)).status_code == 404


@pytest.mark.django_db
def test_team_pack_of_briefing_published_in_future_is_404_for_the_public(client):
    briefing = PrintBriefingFactory(published=timezone.localdate() + timezone.timedelta(days=3))
    assert client.get(team_pack_url(briefing)).status_code == 404


@pytest.mark.django_db
def test_team_pack_of_draft_is_previewable_by_staff(staff_client):
    briefing = PrintBriefingFactory(draft=True, published=None)
    response = staff_client.get(team_pack_url(briefing))
    assert response.status_code == 200
    assert b"Draft: only staff can see this page" in response.content


@pytest.mark.django_db
def test_team_pack_of_unknown_slug_is_404(client):
    assert client.get("/briefings/no-such-briefing/team-pack/").status_code == 404


@pytest.mark.django_db
def test_team_pack_queries_do_not_grow_with_the_number_of_parts(client, django_assert_max_num_queries):
    briefing = PrintBriefingFactory(sections=SEVEN_MINUTE_SECTIONS * 3, questions=SEVEN_MINUTE_QUESTIONS * 3)
    client.get(team_pack_url(briefing))  # loads the site settings once
    with django_assert_max_num_queries(8):
        assert client.get(team_pack_url(briefing)).status_code == 200


# --- Print header ---


@pytest.mark.django_db
def test_print_header_has_title_address_dates_and_date_printed(client):
    briefing = PrintBriefingFactory()
    before = timezone.localdate()
    html = client.get(briefing.get_absolute_url()).content.decode()
    header = html[html.index('class="print-only print-header"') :][:1500]
    assert briefing.title in header
    assert f"http://testserver/briefings/{briefing.slug}/" in header
    assert "Published 1 May 2024" in header
    assert "Last reviewed 3 March 2025" in header
    assert "Next review due 1 May 2026" in header
    # Either side of midnight, should the request run across it.
    assert any(
        f'Printed on <time class="print-date" datetime="{day:%Y-%m-%d}">{day.day} {day:%B %Y}</time>' in header
        for day in {before, timezone.localdate()}
    )


# --- PDF ---


@pytest.mark.django_db
def test_pdf_is_a_valid_pdf_with_the_title_and_every_heading(client):
    briefing = PrintBriefingFactory()
    response = client.get(pdf_url(briefing))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{briefing.slug}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert briefing.title in text
    for heading, _body in SEVEN_MINUTE_SECTIONS:
        assert heading in text


@pytest.mark.django_db
def test_pdf_of_seven_minute_briefing_is_one_a4_page(client):
    reader = PdfReader(io.BytesIO(client.get(pdf_url(PrintBriefingFactory())).content))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points


@pytest.mark.django_db
def test_pdf_of_demo_seven_minute_briefing_is_one_page(client, demo_content):
    response = client.get("/briefings/neglect-learning-from-serious-case-reviews.pdf")
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


@pytest.mark.django_db
def test_pdf_of_very_long_briefing_flows_on_to_more_pages_with_no_text_lost(client):
    sections = long_sections()
    response = client.get(pdf_url(PrintBriefingFactory(title="A very long briefing", sections=sections)))
    assert len(PdfReader(io.BytesIO(response.content)).pages) > 1
    text = pdf_text(response.content)
    for number, (heading, _body) in enumerate(sections, start=1):
        assert heading in text
        assert f"This is the final sentence of section {number}." in text


@pytest.mark.django_db
def test_pdf_leaves_out_navigation_exit_and_emergency_line(client):
    text = pdf_text(client.get(pdf_url(PrintBriefingFactory())).content)
    assert "Exit this page" not in text
    assert "Skip to main content" not in text
    assert "Training" not in text  # a main navigation link
    assert "In an emergency call 999" not in text
    assert "Printed on" in text


@pytest.mark.django_db
def test_pdf_prints_address_after_external_link_text(client):
    text = "".join(pdf_text(client.get(pdf_url(PrintBriefingFactory())).content).split())
    # Long addresses may wrap anywhere, so compare without the line breaks.
    assert "neglecttoolkit(https://example.org/neglect-toolkit)" in text


@pytest.mark.django_db
def test_pdf_of_audit_briefing_has_every_section(client):
    briefing = PrintBriefingFactory(
        title="Neglect audit findings", kind=Briefing.Kind.AUDIT_FINDINGS, sections=AUDIT_SECTIONS
    )
    text = pdf_text(client.get(pdf_url(briefing)).content).replace("\u2019", "'")
    for heading, body in AUDIT_SECTIONS:
        assert heading in text
        assert body in text


@pytest.mark.django_db
def test_pdf_of_draft_is_404_for_the_public(client):
    briefing = PrintBriefingFactory(draft=True, published=None)
    assert client.get(pdf_url(briefing)).status_code == 404


@pytest.mark.django_db
def test_pdf_of_draft_is_made_for_staff_and_not_cached(staff_client):
    briefing = PrintBriefingFactory(draft=True, published=None)
    response = staff_client.get(pdf_url(briefing))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Draft" in pdf_text(response.content)


@pytest.mark.django_db
def test_pdf_is_cached_until_the_briefing_changes(client):
    briefing = PrintBriefingFactory()
    with mock.patch.object(print_views, "html_to_pdf", wraps=print_views.html_to_pdf) as render:
        first = client.get(pdf_url(briefing)).content
        assert client.get(pdf_url(briefing)).content == first
        assert render.call_count == 1
        briefing.title = "Neglect: a new title"
        briefing.save()
        assert "a new title" in pdf_text(client.get(pdf_url(briefing)).content)
        assert render.call_count == 2


@pytest.mark.django_db
def test_pdf_never_fetches_an_image_from_another_host(client):
    briefing = PrintBriefingFactory(
        sections=[("Background", "![tracker](http://tracker.example.net/pixel.png)\n\nText after the image.")]
    )
    fetchers = []
    real_init = print_views.LocalFilesFetcher.__init__

    def track(self, base_url, **kwargs):
        real_init(self, base_url, **kwargs)
        fetchers.append(self)

    with (
        mock.patch.object(print_views.LocalFilesFetcher, "__init__", track),
        mock.patch("urllib.request.OpenerDirector.open", side_effect=AssertionError("network request")) as network,
    ):
        response = client.get(pdf_url(briefing))
    assert response.status_code == 200
    assert "Text after the image." in pdf_text(response.content)
    assert network.call_count == 0
    # The Markdown renderer already turned the outside image into a link, so it is never asked for.
    assert fetchers[0].refused == []


def test_fetcher_refuses_anything_but_this_sites_own_files():
    fetcher = print_views.LocalFilesFetcher("http://testserver/")
    for url in [
        "http://tracker.example.net/pixel.png",
        "http://testserver/static/../../etc/passwd",
        "file:///etc/passwd",
        "http://testserver/admin/",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4


def test_fetcher_serves_the_print_stylesheet_from_the_static_files():
    fetcher = print_views.LocalFilesFetcher("http://testserver/")
    response = fetcher.fetch("http://testserver/static/css/print.css?v=1")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://elsewhere.example/static/css/print.css",
        "http://testserver/static/../portal/settings.py",
        "http://testserver/static/%2e%2e/portal/settings.py",
        "http://testserver/static/",
        "http://testserver/media/../db.sqlite3",
        "http://testserver/briefings/a-briefing.pdf",
        "file:///etc/passwd",
        "data:text/css,body{}",
    ],
)
def test_fetcher_refuses_anything_but_the_sites_own_files(url):
    fetcher = print_views.LocalFilesFetcher("http://testserver/")
    with pytest.raises(ValueError, match="Not fetched"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


@pytest.mark.parametrize(
    ("html", "marked"),
    [
        ('<a href="https://example.org/toolkit">https://example.org/toolkit</a>', True),
        ('<a href="https://www.example.org/" rel="noopener">example.org</a>', True),
        ('<a href="https://example.org/toolkit">the neglect toolkit</a>', False),
        ('<a href="/training/">https://example.org/</a>', False),
    ],
)
def test_links_whose_text_is_the_address_are_marked_so_print_does_not_repeat_it(html, marked):
    assert ('class="print-no-url"' in mark_bare_links(html)) is marked


@pytest.mark.parametrize(
    ("markdown", "marked"),
    [
        ("See <https://example.org/toolkit>.", True),
        ("See [www.example.org](https://www.example.org/).", True),
        ("See [the toolkit](https://example.org/toolkit).", False),
    ],
)
def test_the_page_itself_marks_bare_links_for_browser_print_and_pdf_alike(markdown, marked):
    """The server marks the link once, in the HTML both the browser's print and the PDF lay out."""
    assert ('class="print-no-url"' in render_markdown(markdown)) is marked


@pytest.mark.django_db
def test_a_resource_titled_with_its_address_is_marked_on_the_page(client):
    briefing = PrintBriefingFactory(slug="bare-resource")
    Resource.objects.create(briefing=briefing, title="https://example.org/toolkit", url="https://example.org/toolkit")
    Resource.objects.create(briefing=briefing, title="The toolkit", url="https://example.org/other", position=2)
    html = client.get(briefing.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/toolkit" class="print-no-url">' in html
    assert '<a href="https://example.org/other">' in html


def test_a_public_pdf_uses_only_files_the_public_may_have(db, settings, tmp_path):
    """Markdown may point at a draft resource's file: the page cannot show it, and the PDF may not either."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from briefings.models import Resource

    settings.MEDIA_ROOT = tmp_path
    draft = ResourceFactory(title="Not yet", file=ContentFile(b"%PDF-1.4 draft", name="plan.pdf"), draft=True)
    image = default_storage.save("markdownx/chart.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    draft_url, image_url = "http://testserver/media/" + draft.file.name, "http://testserver/media/" + image

    public = print_views.LocalFilesFetcher("http://testserver/")
    with pytest.raises(ValueError, match="Not fetched"):
        public.fetch(draft_url)
    assert public.fetch(image_url).read().startswith(b"\x89PNG")
    staff = print_views.LocalFilesFetcher("http://testserver/", staff=True)
    assert staff.fetch(draft_url).read() == b"%PDF-1.4 draft"
    draft.status = Resource.Status.PUBLISHED
    draft.save()
    assert public.fetch(draft_url).read() == b"%PDF-1.4 draft"
