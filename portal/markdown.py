"""The one Markdown renderer: CommonMark with GitHub tables (cmark-gfm, linear time) to HTML, then nh3.

Each Markdown field is rendered when it is saved and its HTML stored beside it (RenderedMarkdown),
so a page only reads HTML back; RENDERER_VERSION finds HTML made by an older renderer.
"""

import html as htmllib
import logging
import re

import nh3
from cmarkgfm import cmark
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

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

# Stored HTML records the renderer that made it. Bump this whenever the output can change (the
# renderer, its options, the allow-list, the table wrapper, the inline rule); until
# `manage.py rerender_markdown` has run, pages render such fields again as they are read.
RENDERER_VERSION = 1
# Sent by `manage.py rerender_markdown` (with stale_only): apps re-render what they build from Markdown
# fields; each receiver returns how many items it rendered.
rerendered = Signal()
# Sent by RenderedQuerySet.update() with the `pks` it changed: an update() sends no post_save, and what
# is built from these rows elsewhere (a briefing's stored body shows theme and course names) follows.
rows_updated = Signal()
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


def render_markdown(text):
    """Return safe HTML for untrusted Markdown (public pages and admin preview alike)."""
    if not text:
        return ""
    return _render(str(text).replace("\x00", ""))


# The sanitiser leaves <table> without attributes, so these tags are exact.
TABLE_OPEN = "<table>"
TABLE_CLOSE = "</table>"
ONE_PARAGRAPH = re.compile(r"^<p>((?:(?!<p>).)*)</p>$", re.DOTALL)
# A line starting like a list, heading or quote is still text in a short field: "1. What ..." is not a list.
BLOCK_MARKER = re.compile(r"^(\s*)([-*+](?=\s)|#(?=#*(?:\s|$))|>|\d+(?=[.)](?:\s|$)))", re.MULTILINE)


def render_block(text):
    """A Markdown field as a page shows it: wide tables scroll in their own box."""
    html = render_markdown(text)
    return html.replace(TABLE_OPEN, '<div class="table-wrap">' + TABLE_OPEN).replace(
        TABLE_CLOSE, TABLE_CLOSE + "</div>"
    )


def _escape_marker(match):
    indent, marker = match.groups()
    return indent + (marker + "\\" if marker[0].isdigit() else "\\" + marker)


def render_inline(text):
    """Short Markdown (a question) inside an element of its own: a single paragraph loses its <p>."""
    html = render_markdown(BLOCK_MARKER.sub(_escape_marker, str(text or ""))).strip()
    match = ONE_PARAGRAPH.match(html)
    return match.group(1) if match else html


RENDERERS = {"block": render_block, "inline": render_inline}


def html_field(name):
    return f"{name}_html"


def render_fields(obj, markdown_fields):
    """Store the HTML of each Markdown field of `obj` (model instance or migration row) in `<field>_html`."""
    for name, style in markdown_fields.items():
        setattr(obj, html_field(name), RENDERERS[style](getattr(obj, name)))
    obj.markdown_version = RENDERER_VERSION


class Rendered:
    """`{{ obj.rendered.body }}` in a template: the stored HTML of field `body`, marked safe."""

    def __init__(self, obj):
        self.obj = obj

    def __getitem__(self, name):
        if name not in self.obj.MARKDOWN_FIELDS:
            raise KeyError(name)
        return self.obj.html(name)


class RenderedMarkdown(models.Model):
    """A model whose Markdown fields (MARKDOWN_FIELDS: name to "block" or "inline") keep their HTML.

    Every save renders them (pre_save in portal.apps also covers loaddata, i.e. a restore);
    RenderedQuerySet covers bulk_create() and update(), which call no save().
    """

    MARKDOWN_FIELDS = {}
    markdown_version = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None and set(update_fields) & set(self.MARKDOWN_FIELDS):
            extra = [html_field(name) for name in self.MARKDOWN_FIELDS] + ["markdown_version"]
            update_fields = {*update_fields, *extra}
        super().save(*args, update_fields=update_fields, **kwargs)

    def render_markdown_fields(self):
        render_fields(self, self.MARKDOWN_FIELDS)

    def html(self, name):
        """The HTML of Markdown field `name`; rendered now if it was stored by another renderer version."""
        if self.markdown_version == RENDERER_VERSION:
            html = getattr(self, html_field(name))
        else:
            log.warning(
                "%s %s: HTML stored by renderer version %s, not %s; run manage.py rerender_markdown",
                self._meta.label, self.pk, self.markdown_version, RENDERER_VERSION,
            )  # fmt: skip
            html = RENDERERS[self.MARKDOWN_FIELDS[name]](getattr(self, name))
        return mark_safe(html)  # noqa: S308 - made by render_markdown, which sanitises with nh3

    @property
    def rendered(self):
        return Rendered(self)


def render_before_save(sender, instance, **kwargs):
    """pre_save: every save renders, loaddata too (a backup may hold HTML from another renderer, or none)."""
    if isinstance(instance, RenderedMarkdown):
        instance.render_markdown_fields()


class RenderedQuerySet(models.QuerySet):
    """bulk_create() and update() keep the stored HTML in step, as save() does (any model: a no-op without Markdown)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            if isinstance(obj, RenderedMarkdown):
                obj.render_markdown_fields()
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        if not rows_updated.has_listeners(self.model):
            return self._update(kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            updated = self._update(kwargs)
            rows_updated.send(sender=self.model, pks=pks, using=self.db)
        return updated

    def _update(self, kwargs):
        fields = getattr(self.model, "MARKDOWN_FIELDS", {})
        changed = [name for name in fields if name in kwargs]
        if not changed:
            return super().update(**kwargs)
        if len(changed) == len(fields) and all(isinstance(kwargs[name], str) for name in changed):
            for name in changed:
                kwargs[html_field(name)] = RENDERERS[fields[name]](kwargs[name])
            kwargs["markdown_version"] = RENDERER_VERSION
            return super().update(**kwargs)
        return self._update_then_render(kwargs)

    def _update_then_render(self, kwargs):
        """An update by expression (F(), Concat(), a Case from bulk_update()): render the rows it wrote."""
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            updated = super().update(**kwargs)
            rerender(self.model._base_manager.using(self.db).filter(pk__in=pks))
        return updated


def rerender(queryset, batch_size=500):
    """Render the Markdown fields of these rows again and store the HTML; return how many rows changed.

    Writes only the HTML and the version (bulk_update on a plain queryset): nothing else moves.
    """
    model = queryset.model
    columns = [html_field(name) for name in model.MARKDOWN_FIELDS] + ["markdown_version"]
    changed = []
    for obj in queryset.order_by("pk").only("pk", "markdown_version", *model.MARKDOWN_FIELDS, *columns).iterator():
        before = [getattr(obj, column) for column in columns]
        obj.render_markdown_fields()
        if [getattr(obj, column) for column in columns] != before:
            changed.append(obj)
    models.QuerySet(model, using=queryset.db).bulk_update(changed, columns, batch_size=batch_size)
    return len(changed)


def fill_stored_html(app_label, fields_by_model, batch_size=500):
    """A data migration's RunPython code: render the existing rows of these models ({name: MARKDOWN_FIELDS})."""

    def forwards(apps, schema_editor):
        for name, fields in fields_by_model.items():
            model = apps.get_model(app_label, name)
            rows = model._base_manager.using(schema_editor.connection.alias).order_by("pk")
            columns = [html_field(field) for field in fields] + ["markdown_version"]
            batch = []
            for row in rows.iterator(chunk_size=batch_size):
                render_fields(row, fields)
                batch.append(row)
                if len(batch) == batch_size:
                    rows.bulk_update(batch, columns)
                    batch = []
            rows.bulk_update(batch, columns)

    return forwards
