"""Shared helpers for the robustness tests: the corpus, and reading pages and PDFs as text."""

import io
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfReader

from portal.markdown import render_markdown

CORPUS = Path(__file__).resolve().parent / "corpus"
GOOD = sorted((CORPUS / "good").glob("*.md"))
HOSTILE = sorted((CORPUS / "hostile").glob("*.md"))
# Files that are not text are kept as .md.bytes (so linters leave them alone) and imported as .md.
BAD = sorted(p for p in (CORPUS / "bad").iterdir() if p.name.endswith((".md", ".md.bytes")))


def md_name(path):
    """The name the file is imported under."""
    return path.name.removesuffix(".bytes")


def as_md_files(paths, directory):
    """Copies of these files in `directory`, under their .md names, for the import command."""
    copies = []
    for path in paths:
        copy = directory / md_name(path)
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    return copies


QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


class _Text(HTMLParser):
    """The visible text of an HTML document (no script, style or head)."""

    SKIP = {"script", "style", "head", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html):
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def squash(text):
    """Text compared without spaces, symbols or typographic differences (PDF extraction varies in all three)."""
    text = unicodedata.normalize("NFKC", text.translate(QUOTES))
    return "".join(ch for ch in text if ch.isalnum() or ch in ".,;:'\"?!-()£%")


def final_sentence(markdown):
    """The last sentence of a section as a reader sees it."""
    text = html_text(render_markdown(markdown))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    return sentences[-1] if sentences else ""


_PAGE_NUMBER = re.compile(r"^Page \d+ of \d+ | Page \d+ of \d+$")


def pdf_pages(data):
    """Each page's text; the page number in its foot is left out, so text running over a page break reads on."""
    reader = PdfReader(io.BytesIO(data))
    return [_PAGE_NUMBER.sub("", " ".join((page.extract_text() or "").split()), count=1) for page in reader.pages]


class Elements(HTMLParser):
    """Every start tag with its attributes, to check that nothing hostile survived."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


def hostile_markup(html):
    """Everything in the page that could run script or load content from elsewhere, as messages.

    The site's own script files (src under /static/) are the only scripts allowed, besides structured data
    (`application/ld+json`, which never runs; a title that closed it early would show here as a tag of its own).
    """
    problems = []
    for tag, attrs in Elements(html).tags:
        structured_data = attrs.get("type") == "application/ld+json" and "src" not in attrs
        if tag == "script" and not structured_data and not str(attrs.get("src") or "").startswith("/static/"):
            problems.append(f"<script {attrs}>")
        if tag in {"iframe", "object", "embed", "svg", "math", "form", "base", "meta", "style", "link"}:
            if tag == "meta" and "http-equiv" not in attrs:
                continue
            own_link = not str(attrs.get("href", "")).startswith(("http://", "https://", "//"))
            if tag == "link" and attrs.get("rel") in {"stylesheet", "icon", "alternate", "canonical"} and own_link:
                continue
            if tag == "form" and str(attrs.get("action", "")).startswith("/"):
                continue
            if tag == "svg" and attrs.get("class") == "qr-code":
                continue  # the team pack's QR code, drawn by the server (briefings.print_views.qr_svg)
            problems.append(f"<{tag} {attrs}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                problems.append(f"<{tag} style={value!r}>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and SCRIPT_URL.match(value or ""):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems
