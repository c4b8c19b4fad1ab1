"""Template filters for briefing pages."""

from django import template
from django.utils.safestring import mark_safe

from briefings.models import Briefing
from portal.markdown import render_inline

register = template.Library()


@register.filter
def inline_markdown(text):
    """Sanitised Markdown for short text with no stored HTML (the team pack's general questions)."""
    return mark_safe(render_inline(text))  # noqa: S308 - render_markdown sanitises with nh3


@register.filter
def kind_name(value, number=""):
    """The partnership's name for a briefing's kind: `{{ briefing|kind_name }}`, `{{ kind|kind_name:"plural" }}`."""
    kind = value.kind if isinstance(value, Briefing) else value
    return Briefing.kind_name_of(kind, plural=number == "plural")
