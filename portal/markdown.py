"""The one Markdown renderer: CommonMark with GitHub tables (cmark-gfm, linear time) to HTML, then nh3."""

import html as htmllib
import logging
import re
from functools import lru_cache

import nh3
from cmarkgfm import cmark
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.html import escape, linebreaks

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr",
    "blockquote", "q", "cite", "code", "pre",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
# Raw HTML is passed through for nh3 to clean; SMART gives curly quotes and dashes.
OPTIONS = cmark.Options.CMARK_OPT_UNSAFE | cmark.Options.CMARK_OPT_SMART
EXTENSIONS = ["table"]

# Rendering is a pure function of the text, and the same sections are rendered on every view
# of a page: keep recent results (small texts only, so memory stays bounded).
CACHE_TEXT_LIMIT = 20_000
# The longest text any Markdown field accepts; fields say their own limit with length_limit().
MAX_MARKDOWN_LENGTH = 40_000
LIMIT_MESSAGE = (
    "This text is %(show_value)d characters long; it can be at most %(limit_value)d. Shorten it or split it into parts."
)

log = logging.getLogger(__name__)
# nh3's HTML parser slows down with the square of the nesting depth (5,000 nested quotes take a tenth of
# a second); real text never nests more than a few dozen levels, so deeper text is shown plainly.
MAX_DEPTH = 500
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements a parser closes by itself when a sibling starts: they never nest deeper.
SELF_CLOSING = {"p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot"}
# GitHub tables fill short rows with empty cells, so a few bytes per row can become many kilobytes of
# HTML; a table with more cells than this is shown as text (a real one has hundreds at most).
MAX_TABLE_CELLS = 5_000
DELIMITER_CHARACTERS = frozenset("|-: \t")
# cmark writes a Markdown image in exactly this shape, with its attributes escaped.
CMARK_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"( title="[^"]*")? />')
# A link as cmark and nh3 write it; its text is plain when it holds no other tag.
LINK = re.compile(r'<a href="(https?://[^"]+)"([^>]*)>([^<]*)</a>')
# The marker print.css reads: a link whose text already is its address gets no address printed after it.
BARE_LINK_CLASS = "print-no-url"
# Browsers drop tabs and newlines anywhere in a URL and spaces and control characters around it.
URL_IGNORED = re.compile(r"[\t\n\r]")


def is_local_image(src):
    """True when the browser would fetch `src` from this site: a path, not //host, /\\host or a scheme."""
    src = URL_IGNORED.sub("", src).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    if src.startswith("/") and src[1:2] not in ("/", "\\"):
        return True
    media = settings.MEDIA_URL
    return media.startswith(("https://", "http://")) and media.endswith("/") and src.startswith(media)


def _address(url):
    url = re.sub(r"^https?://", "", htmllib.unescape(url).strip(), flags=re.IGNORECASE)
    return re.sub(r"^www\.", "", url, flags=re.IGNORECASE).rstrip("/").lower()


def is_bare_link(href, text):
    """Whether a link's text is its own web address, so printing the address after it would say it twice."""
    return href.lower().startswith(("http://", "https://")) and _address(text) == _address(href)


def mark_bare_links(html):
    """`html` with each link whose text is its address marked for print (browser print and PDF alike)."""

    def mark(match):
        href, rest, text = match.groups()
        if "class=" in rest or not is_bare_link(href, text):
            return match.group(0)
        return f'<a href="{href}" class="{BARE_LINK_CLASS}"{rest}>{text}</a>'

    return LINK.sub(mark, html)


def length_limit(limit):
    """The validator that caps a text field at `limit` characters with a message editors understand."""
    return MaxLengthValidator(limit, message=LIMIT_MESSAGE)


def _keep_local_images(tag, attribute, value):
    """An <img> may only load from this site (the CSP says the same)."""
    if tag == "img" and attribute == "src" and not is_local_image(value):
        return None
    return value


def _image(match):
    src, alt = htmllib.unescape(match.group(1)), match.group(2)
    if is_local_image(src):
        return match.group(0)
    # An image from elsewhere would tell that site who reads the page; show a plain link to it instead.
    return f'<a href="{match.group(1)}">{alt or "Image"} (image on another website)</a>'


def _table_cells(text):
    """An upper bound on the cells GitHub tables in `text` would produce (one pass over the lines)."""
    cells = columns = 0
    for line in text.split("\n"):
        if columns and line.strip():
            cells += columns
        elif "|" in line and "-" in line and DELIMITER_CHARACTERS.issuperset(line):
            columns = line.count("|") + 1
            cells += columns
        else:
            columns = 0
    return cells


def _too_deep(html):
    depth = 0
    for match in TAG.finditer(html):
        name = match.group(2).lower()
        if name in VOID or name in SELF_CLOSING:
            continue
        depth += -1 if match.group(1) else 1
        if depth > MAX_DEPTH:
            return True
    return False


def _render(text):
    extensions = EXTENSIONS if _table_cells(text) <= MAX_TABLE_CELLS else []
    html = cmark.markdown_to_html_with_extensions(text, options=OPTIONS, extensions=extensions)
    if _too_deep(html):
        log.warning("Markdown nested too deeply to render; shown as plain text")
        html = linebreaks(escape(text))
    html = CMARK_IMAGE.sub(_image, html)
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_local_images,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_bare_links(html)


_render_cached = lru_cache(maxsize=4096)(_render)


def render_markdown(text):
    """Return safe HTML for untrusted Markdown (public pages and admin preview alike)."""
    if not text:
        return ""
    text = str(text).replace("\x00", "")
    return _render_cached(text) if len(text) <= CACHE_TEXT_LIMIT else _render(text)
