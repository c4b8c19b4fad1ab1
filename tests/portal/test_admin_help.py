"""Admin forms speak of this site: Markdown fields say how to format and link to help; no Django widget talk."""

import re
from html import unescape

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from briefings.models import FeaturedTheme
from portal.formatting import BLOCK_EXAMPLES, BLOCK_HELP, INLINE_EXAMPLES, INLINE_HELP, STRIPPED_EXAMPLES
from portal.markdown import render_block, render_inline
from portal.models import SiteSettings
from tests.factories import BriefingFactory, CourseFactory, ResourceFactory, SessionFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

# Wording of Django's widgets that means nothing to the partnership's staff.
WIDGET_WORDS = ["Hold down", "“Control”", "Command”", "“Choose”", "Choose all", "SelectFilter2", "selectfilter"]


@pytest.fixture
def content(db):
    theme = ThemeFactory(name="Child neglect", description="About **neglect**.")
    course = CourseFactory(outcomes=2, themes=[theme])
    SessionFactory(course=course)
    briefing = BriefingFactory(sections=2, questions=1, key_facts=1, resources=1, themes=[theme], courses=[course])
    ResourceFactory(themes=[theme])
    FeaturedTheme.objects.create(theme=theme, starts="2026-01-01", ends="2026-01-31", message="Why now.")
    SiteSettings.load()
    return briefing


def admin_form_pages(user):
    """(label, url) of the add form and the first record's change form of every model registered in admin."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        if model_admin.has_add_permission(request):
            pages.append((f"add {opts.label}", reverse(f"{name}_add")))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.append((f"change {opts.label}", reverse(f"{name}_change", args=[obj.pk])))
    return pages


def test_no_django_widget_wording_in_any_admin_form(staff_client, staff_user, content):
    found = []
    for label, url in admin_form_pages(staff_user):
        response = staff_client.get(url)
        if response.status_code == 302:  # a page that only ever has one record (site settings) redirects
            continue
        assert response.status_code == 200, (label, url, response.status_code)
        text = unescape(response.content.decode())
        found += [f"{label}: {words!r}" for words in WIDGET_WORDS if words.lower() in text.lower()]
    assert not found, "\n".join(found)


def markdown_admins():
    """(model, field name, style, model admin or inline) for every Markdown field some admin form edits."""
    rows = []
    for model_admin in admin.site._registry.values():
        for owner in [model_admin, *(inline(model_admin.model, admin.site) for inline in model_admin.inlines)]:
            for name, style in getattr(owner.model, "MARKDOWN_FIELDS", {}).items():
                rows.append((owner.model, name, style, owner))
    return rows


def form_fields(owner, request):
    if isinstance(owner, admin.options.InlineModelAdmin):
        return owner.get_formset(request).form.base_fields
    return owner.get_form(request)(instance=None).fields


def test_every_markdown_field_has_the_help_line_and_link(staff_user, content):
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    rows = markdown_admins()
    markdown_models = {m for m in apps.get_models() if getattr(m, "MARKDOWN_FIELDS", None)}
    assert {model for model, *_ in rows} == markdown_models, "a model with Markdown fields has no admin form"
    link = reverse("formatting-help")
    for _, name, style, owner in rows:
        field = form_fields(owner, request)[name]
        help_text = str(field.help_text)
        where = f"{type(owner).__name__}.{name}"
        assert (INLINE_HELP if style == "inline" else BLOCK_HELP) in unescape(help_text), where
        assert f'<a href="{link}"' in help_text and "Formatting help" in help_text, where
        if style == "block":
            html = field.widget.render(name, "Some **text**", {"id": f"id_{name}"})
            assert '<p class="markdown-preview-label" id="id_' + name + '-preview-label">Preview</p>' in html, where
            assert 'class="markdownx-preview site-preview"' in html, where


def test_a_briefing_form_shows_the_help_link_and_labelled_preview(staff_client, content):
    html = staff_client.get(reverse("admin:briefings_briefing_change", args=[content.pk])).content.decode()
    assert html.count(f'href="{reverse("formatting-help")}"') >= 3  # each section's text and each question
    assert ">Preview</p>" in html
    assert "css/admin.css" in html


def test_formatting_help_is_for_staff_only(client, db):
    url = reverse("formatting-help")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(UserFactory(is_staff=False))
    assert client.get(url).status_code == 302


def test_formatting_help_shows_what_the_real_renderer_makes(staff_client):
    response = staff_client.get(reverse("formatting-help"))
    assert response.status_code == 200
    html = response.content.decode()
    for _, _, source in BLOCK_EXAMPLES + STRIPPED_EXAMPLES:
        assert render_block(source) in html, source
    for _, _, source in INLINE_EXAMPLES:
        assert render_inline(source) in html, source
    # Everything the issue asks to be shown, as the renderer produced it on this page.
    for made in ["<h3>What we found</h3>", "<strong>the most common</strong>", "<li>missed health appointments</li>",
                 '<a href="https://www.gov.uk/', "<table>", '<img src="/static/img/favicon.svg"',
                 "(image on another website)"]:  # fmt: skip
        assert made in html, made
    # What is stripped is shown as typed (escaped), and never reaches the page as markup.
    assert "&lt;script&gt;" in html and not re.search(r"<script>alert", html)
    assert "<iframe" not in html and 'style="color: red"' not in html
