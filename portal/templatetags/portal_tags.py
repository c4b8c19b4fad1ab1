import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render Markdown through the one sanitising renderer."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


# UK numbers (999, 111, 0300 123 4567, 01234 567890) as they are written in prose.
PHONE_RE = re.compile(r"(?<![\d+])(999|111|0\d{2,4}[ \d]{6,9}\d)(?!\d)")


@register.filter
def phone_links(text):
    """Escape text and turn UK phone numbers into tel: links."""

    def link(match):
        number = match.group(1)
        return f'<a href="tel:{number.replace(" ", "")}">{number}</a>'

    return mark_safe(PHONE_RE.sub(link, str(escape(text))))  # noqa: S308 - escaped first
