"""The one Markdown renderer: Markdown to HTML, then nh3 on an allow-list."""

import threading
from functools import lru_cache

import markdown as md
import nh3

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


def _render(text):
    html = _converter().reset().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
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
