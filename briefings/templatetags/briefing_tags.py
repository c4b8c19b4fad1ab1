"""Template filters for briefing pages."""

import re

from django import template
from django.utils.safestring import mark_safe

from portal.markdown import render_markdown

register = template.Library()

ONE_PARAGRAPH = re.compile(r"^<p>((?:(?!<p>).)*)</p>$", re.DOTALL)
# A line starting like a list, heading or quote is still text here: "1. What ..." is not a list.
BLOCK_MARKER = re.compile(r"^(\s*)([-*+](?=\s)|#(?=#*(?:\s|$))|>|\d+(?=[.)](?:\s|$)))", re.MULTILINE)


def _escape_marker(match):
    indent, marker = match.groups()
    return indent + (marker + "\\" if marker[0].isdigit() else "\\" + marker)


@register.filter
def inline_markdown(text):
    """Sanitised Markdown for short text shown inside another element, such as a question in a list.

    A single paragraph loses its <p> so it can sit in a list item or a heading-like line.
    """
    text = BLOCK_MARKER.sub(_escape_marker, str(text or ""))
    html = render_markdown(text).strip()
    match = ONE_PARAGRAPH.match(html)
    return mark_safe(match.group(1) if match else html)  # noqa: S308 - render_markdown sanitises with nh3
