"""Template filters for briefing pages."""

from django import template
from django.utils.safestring import mark_safe

from portal.markdown import render_inline

register = template.Library()


@register.filter
def inline_markdown(text):
    """Sanitised Markdown for short text with no stored HTML (the team pack's general questions)."""
    return mark_safe(render_inline(text))  # noqa: S308 - render_markdown sanitises with nh3
