"""Text as the index holds it: plain words, no control characters, single spaces."""

import html
import re

from django.utils.html import strip_tags

from portal.markdown import render_markdown

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SPACE = re.compile(r"\s+")
# Highlight markers in snippets: control characters, which clean_text removes from everything indexed.
START, STOP = "\x02", "\x03"
END_OF_SENTENCE = re.compile(r"[.!?:;…]$")


def clean_text(text):
    """Text fit for the index and for XML: no control characters, single spaces."""
    return SPACE.sub(" ", CONTROL.sub(" ", str(text or ""))).strip()


def plain_text(markdown_text):
    """Markdown as the words a reader sees, without markup."""
    return clean_text(html.unescape(strip_tags(render_markdown(markdown_text))))


def join_sentences(*parts):
    """Parts as sentences, so a snippet that spans two of them still reads sensibly."""
    parts = [clean_text(part) for part in parts]
    return " ".join(part if END_OF_SENTENCE.search(part) else f"{part}." for part in parts if part)
