"""The one Markdown renderer: Markdown to HTML, then nh3 on an allow-list."""

import logging
import re
import threading
from functools import lru_cache

import markdown as md
import nh3
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
EXTENSIONS = ["tables", "sane_lists", "fenced_code", "smarty"]


# Building a Markdown converter registers every extension's patterns, which costs more than
# converting a short section; each thread keeps one and resets it between documents.
_local = threading.local()
# Rendering is a pure function of the text, and the same sections are rendered on every view
# of a page: keep recent results (small texts only, so memory stays bounded).
CACHE_TEXT_LIMIT = 20_000


def _converter():
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = md.Markdown(extensions=EXTENSIONS, output_format="html")
    return converter


log = logging.getLogger(__name__)
# Python-Markdown's link pattern backtracks on many unclosed "[": past this many, they are literal.
MAX_UNCLOSED_BRACKETS = 100
# ![alt](https://elsewhere/...): the CSP would block the image anyway; show a plain link instead.
EXTERNAL_IMAGE = re.compile(r"!\[([^\]\n]*)\]\((https?://[^)\s]+)([^)]*)\)")


def _keep_local_images(tag, attribute, value):
    """An <img> written as HTML may only load from this site (the CSP says the same)."""
    if tag == "img" and attribute == "src" and not value.startswith("/"):
        return None
    return value


def _prepare(text):
    text = EXTERNAL_IMAGE.sub(lambda m: f"[{m.group(1) or 'Image'} (image on another website)]({m.group(2)})", text)
    if text.count("[") - text.count("]") > MAX_UNCLOSED_BRACKETS:
        text = text.replace("[", "\\[")
    return text


def _render(text):
    try:
        html = _converter().reset().convert(_prepare(text))
    except RecursionError:
        # Absurdly deep nesting (hundreds of levels): show the text plainly rather than fail the page.
        log.warning("Markdown nested too deeply to render; shown as plain text")
        _local.converter = None
        html = linebreaks(escape(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_local_images,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_render_cached = lru_cache(maxsize=4096)(_render)


def render_markdown(text):
    """Return safe HTML for untrusted Markdown (public pages and admin preview alike)."""
    if not text:
        return ""
    text = str(text).replace("\x00", "")
    return _render_cached(text) if len(text) <= CACHE_TEXT_LIMIT else _render(text)
