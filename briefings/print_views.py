"""Printable outputs of a briefing: the team-meeting pack and the PDF (issue: Print)."""

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portal import media
from portal.cache import private_if_staff
from portal.context_processors import site_settings
from portal.markdown import render_inline
from portal.storage import content_type

from . import body, views
from .models import Briefing

PDF_CACHE_SECONDS = 60 * 60

# Questions for a team whose briefing has none of its own.
GENERAL_QUESTIONS = [
    "What in this briefing is most relevant to the children and families we work with?",
    "Where do we see this in our own practice, and what helps or gets in the way?",
    "What will we do differently, and how will we know it has made a difference for children?",
]


# How a team uses the pack, in words that fit the kind of briefing (a review takes longer than seven minutes).
HOW_TO_USE = {
    Briefing.Kind.SEVEN_MINUTE_BRIEFING: "In the meeting, take about seven minutes to go through the briefing "
    "together, then talk through the questions.",
    Briefing.Kind.THEMATIC_REVIEW: "Ask everyone to read the review before the meeting. In the meeting, go through "
    "what it found and its recommendations together, then talk through the questions.",
    Briefing.Kind.AUDIT_FINDINGS: "In the meeting, go through what the audit found together, then talk through "
    "the questions.",
}
# The record form of the learning app, by the address agreed between the apps (briefings may not import it).
RECORD_PATH = "/briefings/{slug}/record/"
# Ruled lines under each question: fewer when there are many, so a 7-minute pack's questions fit one page.
LINES_FOR_QUESTIONS = ((3, 5), (4, 4), (6, 3))
NEXT_SESSIONS = 3


def _visible_briefings(request):
    """Drafts are for staff to preview; the public sees published briefings only."""
    return Briefing.objects.all() if request.user.is_staff else Briefing.objects.published()


def team_pack(request, slug):
    try:
        briefing = get_object_or_404(
            _visible_briefings(request).prefetch_related("sections", "questions", "key_facts", "resources"), slug=slug
        )
    except Http404:
        return views.withdrawn(request, slug)
    questions = [question.rendered["text"] for question in briefing.questions.all()]
    record_url = request.build_absolute_uri(RECORD_PATH.format(slug=briefing.slug))
    lines = next((lines for most, lines in LINES_FOR_QUESTIONS if len(questions) <= most), 2)
    response = render(
        request,
        "briefings/team_pack.html",
        {
            "briefing": briefing,
            "questions": questions or [mark_safe(render_inline(text)) for text in GENERAL_QUESTIONS],  # noqa: S308
            "general_questions": not questions,
            "sheet": briefing.kind == Briefing.Kind.SEVEN_MINUTE_BRIEFING and body.fits_one_sheet(briefing),
            "how_to_use": HOW_TO_USE[briefing.kind],
            "courses": linked_training(briefing),
            "record_url": record_url,
            "record_qr": qr_svg(record_url),
            "version_date": version_date(briefing),
            "action_rows": range(4),
            "note_lines": range(lines),
        },
    )
    return private_if_staff(request, response)


def team_pack_css(request, slug):
    """The pack's running footer (name, address and version date on every printed page) as a stylesheet.

    Both Chromium and WeasyPrint print @page margin boxes, but only with literal text, and the site's
    Content Security Policy allows no inline style: so the text comes in a stylesheet of its own.
    """
    try:
        briefing = get_object_or_404(_visible_briefings(request).only(*FOOTER_FIELDS), slug=slug)
    except Http404:
        return HttpResponse("", content_type="text/css", status=404)
    response = HttpResponse(running_footer_css(request, briefing), content_type="text/css; charset=utf-8")
    return private_if_staff(request, response)


FOOTER_FIELDS = ("pk", "slug", "title", "status", "published", "updated_at")
FOOTER_TITLE_LENGTH = 70


def running_footer_css(request, briefing):
    title = (
        briefing.title
        if len(briefing.title) <= FOOTER_TITLE_LENGTH
        else briefing.title[: FOOTER_TITLE_LENGTH - 1] + "…"
    )
    address = request.build_absolute_uri(briefing.get_absolute_url())
    text = f"{title} · {address} · Version of {version_date(briefing)}"
    return (
        "/* The team pack's running footer: see briefings/print_views.py. */\n"
        f"@page {{ @bottom-left {{ content: {css_string(text)}; }} }}\n"
    )


def css_string(text):
    """Text as a quoted CSS string: quotes, backslashes and control characters escaped."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\' or ord(char) < 32 or char == "\x7f" else char for char in text
    )
    return f'"{escaped}"'


def version_date(briefing):
    """The day this version of the briefing was last changed, as printed on its pack."""
    return dateformat.format(timezone.localtime(briefing.updated_at), "j F Y")


def qr_svg(url):
    """A QR code of `url` as inline SVG, drawn here (no outside service sees the address)."""
    svg = segno.make(url, error="m").svg_inline(scale=1, omitsize=True, svgclass="qr-code")
    # The address is printed beside the code, so the drawing itself is hidden from screen readers.
    return mark_safe(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))  # noqa: S308


def linked_training(briefing):
    """Published courses linked to the briefing, each with its next bookable sessions (`next_sessions`)."""
    courses = list(briefing.courses.published().prefetch_related("sessions").order_by("title"))
    for course in courses:
        course.next_sessions = [session for session in course.sessions.all() if session.is_bookable][:NEXT_SESSIONS]
    return courses


def briefing_pdf(request, slug):
    return _pdf(request, slug, views.briefing_detail, "")


def team_pack_pdf(request, slug):
    return _pdf(request, slug, team_pack, "team-pack")


def _pdf(request, slug, page_view, part):
    """The PDF of a briefing's page (`part` empty) or of its team pack: the page itself, laid out by WeasyPrint."""
    # One PDF per site address, however the Host header is spelt: a bot varying its case or port
    # cannot make the site lay out the same PDF again (the address printed on it is this one).
    request.META["HTTP_HOST"] = canonical_host(request)
    request.__dict__.pop("_current_scheme_host", None)
    try:
        briefing = get_object_or_404(_visible_briefings(request).only("pk", "slug", "updated_at", "version"), slug=slug)
    except Http404:
        return views.withdrawn(request, slug)
    # Public PDFs are the same for everyone until the briefing, the site settings or the day change.
    cacheable = briefing.is_published and not request.user.is_staff
    key = _pdf_cache_key(request, briefing, part)
    pdf = cache.get(key) if cacheable else None
    if pdf is None:
        # The PDF is the page itself, laid out by the print stylesheet: one markup, one layout.
        page = page_view(request, slug)
        base_url = request.build_absolute_uri("/")
        files = {}
        if part == "team-pack":
            css = running_footer_css(request, Briefing.objects.only(*FOOTER_FIELDS).get(pk=briefing.pk))
            files[request.build_absolute_uri(reverse("briefings:team-pack-css", args=[slug]))] = css.encode()
        pdf = html_to_pdf(
            page.content.decode(page.charset), base_url=base_url, staff=request.user.is_staff, pages=files
        )
        if cacheable:
            cache.set(key, pdf, PDF_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{briefing.slug}-{part}.pdf" if part else f"{briefing.slug}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store" if request.user.is_staff else "public, max-age=300"
    return response


def canonical_host(request):
    """The request's host in lower case without a trailing dot, and its port only if this server answers on it."""
    host = request.get_host().lower()
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name:
        name, port = host, ""
    name = name.rstrip(".")
    return f"{name}:{port}" if port and port == str(request.get_port()) else name


def _pdf_cache_key(request, briefing, part=""):
    site = site_settings(request)
    parts = [
        part,
        briefing.pk,
        briefing.version,
        briefing.updated_at.isoformat(),
        site.updated_at.isoformat(),
        timezone.localdate().isoformat(),  # the "Printed on" date
        request.get_host(),  # the web address printed on the page
    ]
    if part == "team-pack":
        # The pack lists the linked courses' next sessions, which change with the courses, not the briefing.
        parts += [f"{pk}.{version}" for pk, version in briefing.courses.order_by("pk").values_list("pk", "version")]
    return "briefing-pdf:" + ":".join(str(part) for part in parts)


def html_to_pdf(html, base_url, staff=False, pages=None):
    """Lay out HTML as an A4 PDF with WeasyPrint, using only this site's own files (for staff, drafts' too).

    `pages` maps absolute addresses of the site's own made-per-request files (the pack's footer
    stylesheet) to their bytes, given rather than fetched.
    """
    fetcher = LocalFilesFetcher(base_url, staff=staff, pages=pages)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf()


class LocalFilesFetcher(URLFetcher):
    """Serves the site's own files from disk and refuses every other address (no tracking, no request forgery)."""

    def __init__(self, base_url, staff=False, pages=None):
        super().__init__(allow_redirects=False)
        self.pages = pages or {}
        # A reader's PDF uses only uploads the reader could fetch (portal.media.is_public_file).
        self.staff = staff
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)
        self.media_prefix = urljoin(base_url, settings.MEDIA_URL)
        self.refused = []

    def fetch(self, url, headers=None):
        found = self.local_file(url)
        if found is None:
            self.refused.append(url)
            raise ValueError(f"Not fetched for a PDF (only this site's own files are used): {url}")
        name, body = found
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type(name)})

    def local_file(self, url):
        """(name, bytes) of one of the site's static or uploaded files, or None."""
        url = urlsplit(url)._replace(query="", fragment="").geturl()
        if url in self.pages:
            return "page.css", self.pages[url]
        for prefix, read in ((self.static_prefix, _static_file), (self.media_prefix, _media_file)):
            if url.startswith(prefix):
                name = unquote(url[len(prefix) :])
                if media.clean_name(name) is None:
                    return None
                if read is _media_file and not (self.staff or media.is_public_file(name)):
                    return None
                body = read(name)
                return None if body is None else (name, body)
        return None


def _static_file(name):
    found = finders.find(name)
    if found:
        return Path(found).read_bytes()
    # After collectstatic the page links hashed names that only exist in STATIC_ROOT.
    if settings.STATIC_ROOT:
        path = _file_within(Path(settings.STATIC_ROOT), name)
        return path.read_bytes() if path else None
    return None


def _media_file(name):
    # Through the storage: uploads may be in an object store rather than on this machine's disk.
    return media.read_upload(name)


def _file_within(root, name):
    root = root.resolve()
    path = (root / name).resolve()
    if path.is_file() and path.is_relative_to(root):
        return path
    return None
