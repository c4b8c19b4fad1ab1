import datetime
import json
import re

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.dates import MONTHS
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from portal import addresses
from portal.markdown import render_block

register = template.Library()


@register.filter
def markdown(text):
    """Render Markdown through the one sanitising renderer (text with no stored HTML, such as a default)."""
    return mark_safe(render_block(text))  # noqa: S308 - sanitised by nh3


@register.filter
def long_date(value):
    """A date as "5 January 2026": what `date:"j F Y"` writes, without Django's general date formatter."""
    if type(value) is datetime.date:
        return f"{value.day} {MONTHS[value.month]} {value.year:04d}"
    return date_filter(value, "j F Y")


@register.filter
def iso_date(value):
    """A date as "2026-01-05": what `date:"Y-m-d"` writes, without Django's general date formatter."""
    if type(value) is datetime.date:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return date_filter(value, "Y-m-d")


# UK phone numbers as people write them in prose:
#   999, 111, 112, 116 123 (short and European helpline numbers);
#   0345 155 1071, 020 7946 0000, 01632 960000, (01632) 960 000, 0800 1111;
#   +44 345 155 1071, +44 (0)20 7946 0000.
# Digits are grouped by single spaces; the number of digits is checked in is_uk_number.
# Not numbers: years (2024), sums (£2,000, 1,999), dates (01/02/2024), decimals, times.
PHONE_RE = re.compile(
    r"""
    (?<![\w£$€+/.,:-])                         # not the middle of a word, sum, date or number
    (?P<number>
        \+44[ \u00a0]?(?:\(0\)[ \u00a0]?)?[1-9]\d{1,4}(?:[ \u00a0]?\d{2,4}){1,3}
      | \(0\d{2,4}\)[ \u00a0]?\d{3,4}(?:[ \u00a0]?\d{3,4})?
      | 0\d{2,4}(?:[ \u00a0]?\d{2,4}){1,3}
      | 116[ \u00a0]?\d{3}
      | 999 | 111 | 112
    )
    (?![\w%/£$€]|[.,:-]\d)                      # not followed by more of a number
    """,
    re.VERBOSE,
)
FREEPHONE_PREFIXES = ("0800", "0808", "0500")


def is_uk_number(written):
    """True when the digits form a dialable UK number (10 or 11 digits with the 0, or a short code)."""
    digits = re.sub(r"\D", "", written.replace("(0)", ""))
    if written.startswith("+44"):
        return 10 <= len(digits) - 1 <= 11  # 44 and the national number without its 0
    if digits.startswith("0"):
        if digits.startswith(FREEPHONE_PREFIXES):
            return 8 <= len(digits) <= 11  # Childline is 0800 1111
        return 10 <= len(digits) <= 11
    return True  # 999, 111, 112, 116 xxx


def tel_href(written):
    """The tel: address for a number as written: digits only, keeping a leading +."""
    digits = re.sub(r"\D", "", written.replace("(0)", ""))
    return "tel:" + ("+" + digits if written.startswith("+") else digits)


@register.filter
def phone_links(text):
    """Escape text and turn UK phone numbers into tel: links."""
    text = str(text)
    parts = []
    last = 0
    for match in PHONE_RE.finditer(text):
        number = match.group("number")
        if not is_uk_number(number):
            continue
        parts.append(escape(text[last : match.start()]))
        parts.append(f'<a href="{tel_href(number)}" class="tel">{escape(number)}</a>')
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped


@register.simple_tag
def address(viewname, *args):
    """`{% url %}` for the site's own pages, each address reversed once per worker (portal/addresses.py)."""
    return addresses.reverse(viewname, *args)


# JSON in a <script> element: these characters could end the element or start markup inside it.
_JSON_IN_SCRIPT = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def breadcrumbs(context, *steps):
    """The trail from Home to this page: `{% breadcrumbs "Label" url ... "This page" %}`, with its BreadcrumbList.

    Steps are label and address pairs, then the page's own label (its address is the request's).
    """
    *pairs, current = steps
    if len(pairs) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes label and address pairs, then the page's label")
    request = context["request"]
    trail = [("Home", addresses.reverse("home")), *zip(pairs[::2], pairs[1::2], strict=True)]
    items = [format_html('<li class="breadcrumbs__item"><a href="{}">{}</a></li>', url, label) for label, url in trail]
    items.append(format_html('<li class="breadcrumbs__item" aria-current="page">{}</li>', current))
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": str(label), "item": request.build_absolute_uri(url)}
            for position, (label, url) in enumerate([*trail, (current, request.path)], start=1)
        ],
    }
    # Data for search engines, never run, so the Content Security Policy has nothing to allow.
    structured = json.dumps(data, ensure_ascii=False).translate(_JSON_IN_SCRIPT)
    return format_html(
        '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol class="breadcrumbs__list">{}</ol></nav>\n'
        '<script type="application/ld+json">{}</script>',
        mark_safe("".join(items)),  # noqa: S308 - each item escaped by format_html
        mark_safe(structured),  # noqa: S308 - JSON with <, > and & escaped
    )
