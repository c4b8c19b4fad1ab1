"""Printable outputs of a briefing: the team-meeting pack and the PDF (issue: Print)."""

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portal import media
from portal.cache import private_if_staff
from portal.context_processors import site_settings
from portal.markdown import render_inline
from portal.storage import content_type

from . import views
from .models import Briefing

PDF_CACHE_SECONDS = 60 * 60

# Questions for a team whose briefing has none of its own.
GENERAL_QUESTIONS = [
    "What in this briefing is most relevant to the children and families we work with?",
    "Where do we see this in our own practice, and what helps or gets in the way?",
    "What will we do differently, and how will we know it has made a difference for children?",
]


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
    response = render(
        request,
        "briefings/team_pack.html",
        {
            "briefing": briefing,
            "questions": questions or [mark_safe(render_inline(text)) for text in GENERAL_QUESTIONS],  # noqa: S308
            "general_questions": not questions,
            "action_rows": range(6),
            "note_lines": range(5),
        },
    )
    return private_if_staff(request, response)


def briefing_pdf(request, slug):
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
    key = _pdf_cache_key(request, briefing)
    pdf = cache.get(key) if cacheable else None
    if pdf is None:
        # The PDF is the briefing page itself, laid out by the print stylesheet: one markup, one layout.
        page = views.briefing_detail(request, slug)
        pdf = html_to_pdf(
            page.content.decode(page.charset),
            base_url=request.build_absolute_uri("/"),
            staff=request.user.is_staff,
        )
        if cacheable:
            cache.set(key, pdf, PDF_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{briefing.slug}.pdf"'
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


def _pdf_cache_key(request, briefing):
    site = site_settings(request)
    parts = [
        briefing.pk,
        briefing.version,
        briefing.updated_at.isoformat(),
        site.updated_at.isoformat(),
        timezone.localdate().isoformat(),  # the "Printed on" date
        request.get_host(),  # the web address printed on the page
    ]
    return "briefing-pdf:" + ":".join(str(part) for part in parts)


def html_to_pdf(html, base_url, staff=False):
    """Lay out HTML as an A4 PDF with WeasyPrint, using only this site's own files (for staff, drafts' too)."""
    fetcher = LocalFilesFetcher(base_url, staff=staff)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf()


class LocalFilesFetcher(URLFetcher):
    """Serves the site's own files from disk and refuses every other address (no tracking, no request forgery)."""

    def __init__(self, base_url, staff=False):
        super().__init__(allow_redirects=False)
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
