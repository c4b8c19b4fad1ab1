"""How to write Markdown here: the help line under every Markdown box, its editor, and the formatting help page."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.admin.widgets import AdminTextareaWidget
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from markdownx.widgets import MarkdownxWidget, minified

from portal.markdown import render_block, render_inline

BLOCK_HELP = (
    "Markdown: “- ” starts a list item, **bold**, [words](https://address) for a link, ### a heading; "
    "drag a picture in to upload it."
)
INLINE_HELP = "Markdown: **two stars** for bold, *one star* for italic, [words](https://address) for a link."
HELP_LINK_TEXT = "Formatting help"

# (heading, what to know, Markdown typed in the box); the page shows each as the real renderer makes it.
BLOCK_EXAMPLES = [
    (
        "Paragraphs",
        "Leave an empty line between paragraphs. A single line break inside a paragraph is joined up; end a line "
        "with two spaces to keep the break.",
        "Neglect is the most common reason for a child protection plan.\n\n"
        "It is often missed because it builds up slowly.",
    ),
    (
        "Headings inside a section",
        "The section's own heading goes in its Heading box. Inside the text, start a line with ### for a smaller "
        "heading (#### for smaller still).",
        "### What we found\n\nMost families were known to more than one service.",
    ),
    (
        "Bold and italic",
        "Two stars either side for bold, one for italic. Use bold for a word or two, not whole paragraphs.",
        "Neglect is **the most common** reason for a plan, and *often* missed.",
    ),
    (
        "Bulleted list",
        "Start each line with a dash and a space. Leave an empty line before the list.",
        "Signs to look out for:\n\n- missed health appointments\n- poor school attendance\n- a cold or dirty home",
    ),
    (
        "Numbered list",
        "Start each line with a number, a full stop and a space.",
        "1. Talk to the family.\n2. Use the Graded Care Profile 2.\n3. Record what you found.",
    ),
    (
        "Links",
        "The words to click in square brackets, then the address in round brackets. An address on its own in "
        "angle brackets becomes a link too; email addresses and phone numbers work with mailto: and tel:.",
        "Read [Working Together 2023](https://www.gov.uk/government/publications/working-together-to-safeguard-"
        "children--2) or see <https://www.example.org>.\n\n"
        "Email [the partnership](mailto:partnership@example.org) or call [01234 567890](tel:01234567890).",
    ),
    (
        "Tables",
        "A row per line with | between the cells; the second line of dashes marks the header row. A wide table "
        "scrolls sideways on its own on a phone.",
        "| Age | Cases |\n|---|---|\n| Under 5 | 12 |\n| 5 to 11 | 9 |\n| 12 and over | 7 |",
    ),
    (
        "Pictures uploaded here",
        "Drag a picture (JPEG, PNG, GIF or WebP, up to 2 MB) onto the text box, or paste it: it is uploaded to "
        "this site and a line like the one below is written for you. Put a description of the picture between "
        "the square brackets for people who cannot see it.",
        "![The partnership's logo](/static/img/favicon.svg)",
    ),
    (
        "Quotes",
        "Start the line with >.",
        "> I didn't think anyone had noticed.",
    ),
    (
        "Quotation marks and dashes",
        "Straight quotes become curly ones and two hyphens an en dash, as in print.",
        '"Good enough" care -- it\'s not a standard to aim for.',
    ),
]

# What the renderer removes or changes, so nobody is surprised that it is not on the page.
STRIPPED_EXAMPLES = [
    (
        "A # heading",
        "The page already has one main heading (the title), so a single # is shown as plain text.",
        "# A very big heading",
    ),
    (
        "Pictures from other websites",
        "Only pictures uploaded here are shown; a picture from another website would tell that site who reads "
        "the page, so it becomes a link to the picture instead.",
        "![A chart](https://www.example.org/chart.png)",
    ),
    (
        "HTML, scripts, styles and embedded pages",
        "Scripts, styles, colours, embedded pages (iframes) and forms are removed; the text inside a few kept "
        "elements stays.",
        '<script>alert("hello")</script><span style="color: red">Red words</span>\n\n'
        '<iframe src="https://www.example.org"></iframe>',
    ),
    (
        "Links that are not web, email or phone addresses",
        "A link to anything but https:, http:, mailto: or tel: loses its address.",
        "[Click me](javascript:alert(1))",
    ),
    (
        "Comments",
        "HTML comments are removed.",
        "Shown. <!-- Not shown: a note to another editor. -->",
    ),
]

INLINE_EXAMPLES = [
    (
        "Questions (short text)",
        "Discussion questions allow bold, italic and links only. A question that starts with a number or a dash "
        "stays as written instead of becoming a list.",
        "1. What would **you** do if you noticed this at a home visit?",
    ),
]


def help_link():
    return format_html(
        '<a href="{}" target="_blank">{}<span class="visually-hidden"> (opens in a new tab)</span></a>',
        reverse("formatting-help"),
        HELP_LINK_TEXT,
    )


def markdown_help(existing, style):
    """A Markdown field's help text: what it had, how to write Markdown here, and the link to the help page."""
    line = INLINE_HELP if style == "inline" else BLOCK_HELP
    if existing:
        return format_html("{} {} {}", existing, line, help_link())
    return format_html("{} {}", line, help_link())


class MarkdownEditor(MarkdownxWidget, AdminTextareaWidget):
    """markdownx's editor with a live preview labelled "Preview" that looks like the public page (css/admin.css)."""

    template_name = "admin/widgets/markdown_editor.html"

    class Media:
        # Not markdownx's admin stylesheet: it fixes the box at 610 px and styles the preview as the admin.
        extend = False
        js = [f"markdownx/js/markdownx{minified}.js"]

    def _render(self, template_name, context, renderer=None):
        # The site's own template set, not the form renderer's (which does not search templates/).
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - a template, escaped by it


def examples(prefix, items, renderer):
    """Each example with its Markdown rendered now by `renderer`, as a page would show it."""
    return [
        {"id": f"{prefix}-{n}", "title": title, "note": note, "source": source, "html": mark_safe(renderer(source))}  # noqa: S308 - sanitised by the renderer
        for n, (title, note, source) in enumerate(items, start=1)
    ]


@staff_member_required
def formatting_help(request):
    """Every kind of formatting the renderer supports, and what it removes, each rendered by the real renderer."""
    context = {
        **admin.site.each_context(request),
        "title": "Formatting help",
        "supported": examples("supported", BLOCK_EXAMPLES, render_block),
        "stripped": examples("stripped", STRIPPED_EXAMPLES, render_block),
        "inline": examples("inline", INLINE_EXAMPLES, render_inline),
    }
    return render(request, "admin/formatting_help.html", context)
