"""Markdown is rendered when it is saved, by every route, and stale HTML is never served."""

import datetime
import io
import json
import logging

import pytest
from django.core.management import call_command
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, DiscussionQuestion, FeaturedTheme, Section, Theme
from portal import history
from portal.markdown import RENDERER_VERSION, RenderedMarkdown, render_block, render_inline
from portal.models import SiteSettings
from tests.factories import BriefingFactory
from training.models import Course

pytestmark = pytest.mark.django_db

TABLE = "Intro with **bold** and a \u201cquote\u201d.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"


def assert_current(obj, field):
    """The row as stored holds the HTML the renderer gives now for `field`, and the current version."""
    obj = type(obj)._base_manager.get(pk=obj.pk)
    style = obj.MARKDOWN_FIELDS[field]
    expected = (render_block if style == "block" else render_inline)(getattr(obj, field))
    assert getattr(obj, f"{field}_html") == expected
    assert obj.markdown_version == RENDERER_VERSION
    return expected


def every_rendered_row():
    from portal.management.commands.rerender_markdown import rendered_models

    for model in rendered_models():
        for obj in model._base_manager.all():
            for field in model.MARKDOWN_FIELDS:
                yield obj, field


def test_every_markdown_field_of_every_model_keeps_its_html_on_save():
    briefing = BriefingFactory(sections=[("Heading 1", "Body **1**")], questions=1)
    theme = Theme.objects.create(name="Neglect", slug="neglect", description=TABLE)
    today = timezone.localdate()
    feature = FeaturedTheme.objects.create(theme=theme, starts=today, ends=today, message="Why *now*.")
    course = Course.objects.create(title="C", slug="c", summary="S", description=TABLE)
    site = SiteSettings.load()
    site.accessibility_statement = "## Statement\n\nWe *aim*."
    site.save()
    assert '<div class="table-wrap"><table>' in assert_current(theme, "description")
    assert assert_current(feature, "message") == "<p>Why <em>now</em>.</p>\n"
    assert "<table>" in assert_current(course, "description")
    assert "<h2>Statement</h2>" in assert_current(site, "accessibility_statement")
    assert assert_current(briefing.sections.get(), "body") == "<p>Body <strong>1</strong></p>\n"
    assert assert_current(briefing.questions.get(), "text") == "Question 1?"
    models = {type(obj) for obj, _ in every_rendered_row()}
    assert models == {Section, DiscussionQuestion, Theme, FeaturedTheme, Course, SiteSettings}


def test_a_save_naming_its_fields_still_writes_the_html():
    """update_or_create() and save(update_fields=...) write only the fields they name."""
    section = BriefingFactory(sections=[("Heading 1", "Body **1**")]).sections.get()
    section.body = "Now *changed*."
    section.save(update_fields=["body"])
    assert assert_current(section, "body") == "<p>Now <em>changed</em>.</p>\n"
    Course.objects.update_or_create(slug="c", defaults={"title": "C", "summary": "S", "description": "One"})
    Course.objects.update_or_create(slug="c", defaults={"description": "Two **bold**"})
    assert assert_current(Course.objects.get(slug="c"), "description") == "<p>Two <strong>bold</strong></p>\n"


def test_bulk_create_renders_and_still_moves_the_briefing_version():
    briefing = BriefingFactory(sections=0)
    Section.objects.bulk_create([Section(briefing=briefing, heading="H", body=f"Part *{i}*") for i in range(3)])
    DiscussionQuestion.objects.bulk_create([DiscussionQuestion(briefing=briefing, text="Why **now**?")])
    for section in briefing.sections.all():
        assert section.body_html.startswith("<p>Part <em>")
        assert_current(section, "body")
    assert assert_current(briefing.questions.get(), "text") == "Why <strong>now</strong>?"
    assert Briefing.objects.get(pk=briefing.pk).version > briefing.version


def test_queryset_update_with_text_or_an_expression_renders_the_rows_it_wrote():
    briefing = BriefingFactory(sections=[("Heading 1", "Body **1**"), ("Heading 2", "Body **2**")])
    other = BriefingFactory(sections=[("Heading 1", "Body **1**")])
    Section.objects.filter(briefing=briefing).update(body="All *the same*.")
    for section in briefing.sections.all():
        assert assert_current(section, "body") == "<p>All <em>the same</em>.</p>\n"
    Section.objects.filter(briefing=briefing).update(body=Concat(F("body"), Value(" And **more**.")))
    for section in briefing.sections.all():
        assert assert_current(section, "body") == "<p>All <em>the same</em>. And <strong>more</strong>.</p>\n"
    assert other.sections.get().body_html == "<p>Body <strong>1</strong></p>\n"
    Theme.objects.create(name="T", slug="t")
    Theme.objects.update(description="Theme *text*")
    assert assert_current(Theme.objects.get(), "description") == "<p>Theme <em>text</em></p>\n"


def test_bulk_update_renders_the_rows_it_wrote():
    sections = list(BriefingFactory(sections=[("Heading 1", "Body **1**"), ("Heading 2", "Body **2**")]).sections.all())
    for section in sections:
        section.body = "Bulk *edit*"
    Section.objects.bulk_update(sections, ["body"])
    for section in sections:
        assert assert_current(section, "body") == "<p>Bulk <em>edit</em></p>\n"


def test_an_admin_save_stores_the_html(staff_client):
    from tests.briefings.test_admin import briefing_post

    sections = [{"position": "", "heading": "Background", "body": "Admin *text*."}]
    response = staff_client.post(reverse("admin:briefings_briefing_add"), briefing_post(sections))
    assert response.status_code == 302
    assert assert_current(Section.objects.get(), "body") == "<p>Admin <em>text</em>.</p>\n"


def test_an_import_stores_the_html(tmp_path):
    path = tmp_path / "imported.md"
    path.write_text(
        "---\ntitle: Imported\nkind: audit_findings\nsummary: S.\nquestions:\n  - Who *knew*?\n---\n"
        "## Findings\nSome **findings**.\n"
    )
    call_command("import_briefings", str(path), stdout=io.StringIO())
    briefing = Briefing.objects.get(slug="imported")
    assert assert_current(briefing.sections.get(), "body") == "<p>Some <strong>findings</strong>.</p>\n"
    assert assert_current(briefing.questions.get(), "text") == "Who <em>knew</em>?"


def test_the_demo_loader_stores_html_for_every_field(demo_content):
    rows = list(every_rendered_row())
    assert len(rows) > 20
    for obj, field in rows:
        assert_current(obj, field)


def test_a_history_restore_stores_the_html_of_the_text_it_puts_back():
    section = BriefingFactory(sections=[("Heading 1", "Body **1**")]).sections.get()
    at = timezone.now()
    section.body = "Later *text*."
    section.save()
    history.restore_briefing(section.briefing, at)
    assert assert_current(section, "body") == "<p>Body <strong>1</strong></p>\n"


def test_loaddata_from_a_backup_renders_whatever_html_the_backup_held(tmp_path):
    """A restore from a backup made by an older renderer (or before HTML was stored) is rendered afresh."""
    briefing = BriefingFactory(sections=0)
    dump = [
        {"model": "briefings.section", "pk": 900,
         "fields": {"briefing": briefing.pk, "position": 1, "heading": "H", "body": "From *backup*",
                    "body_html": "<p>old renderer</p>", "markdown_version": 0}},
        {"model": "briefings.theme", "pk": 900, "fields": {"name": "Old", "slug": "old", "description": "No *html*"}},
    ]  # fmt: skip
    fixture = tmp_path / "backup.json"
    fixture.write_text(json.dumps(dump))
    call_command("loaddata", str(fixture), verbosity=0)
    assert assert_current(Section.objects.get(pk=900), "body") == "<p>From <em>backup</em></p>\n"
    assert assert_current(Theme.objects.get(pk=900), "description") == "<p>No <em>html</em></p>\n"


def make_stale(obj, **html):
    """What an upgrade leaves behind: HTML from an older renderer version, written with no save."""
    type(obj)._base_manager.filter(pk=obj.pk).update(markdown_version=RENDERER_VERSION - 1, **html)


def test_html_from_another_renderer_version_is_rendered_again_when_read(client, caplog):
    briefing = BriefingFactory(sections=[("Heading 1", "Body **1**")], questions=1, slug="stale")
    make_stale(briefing.sections.get(), body_html="<p>OLD SECTION</p>")
    make_stale(briefing.questions.get(), text_html="OLD QUESTION")
    with caplog.at_level(logging.WARNING, logger="portal.markdown"):
        page = client.get(reverse("briefings:detail", args=["stale"])).content.decode()
    assert "OLD" not in page
    assert "<p>Body <strong>1</strong></p>" in page and "Question 1?" in page
    assert "rerender_markdown" in caplog.text


def test_current_html_is_served_as_stored(client):
    """The page reads the stored HTML rather than rendering again (so the stored copy is what counts)."""
    briefing = BriefingFactory(sections=[("Heading 1", "Body **1**")], slug="as-stored")
    Section._base_manager.filter(briefing=briefing).update(body_html="<p>STORED</p>")
    assert "<p>STORED</p>" in client.get(reverse("briefings:detail", args=["as-stored"])).content.decode()


def test_rerender_markdown_brings_stale_rows_up_to_date_and_stale_only_leaves_the_rest():
    briefing = BriefingFactory(sections=[("Heading 1", "Body **1**"), ("Heading 2", "Body **2**")])
    stale, current = briefing.sections.all()
    make_stale(stale, body_html="<p>old</p>")
    # Current version but wrong HTML: only a full run (say after SQL changed the text) corrects it.
    Section._base_manager.filter(pk=current.pk).update(body_html="<p>edited in SQL</p>")
    out = io.StringIO()
    call_command("rerender_markdown", "--stale-only", stdout=out)
    assert "1 rows changed" in out.getvalue()
    assert_current(stale, "body")
    assert Section._base_manager.get(pk=current.pk).body_html == "<p>edited in SQL</p>"
    call_command("rerender_markdown", stdout=out)
    assert_current(current, "body")
    call_command("rerender_markdown", stdout=(again := io.StringIO()))
    assert "0 rows changed" in again.getvalue()


def test_rerender_markdown_moves_the_page_cache_on(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()  # its first save would clear the page cache
    briefing = BriefingFactory(sections=[("Heading 1", "Body **1**")], slug="cached")
    url = reverse("briefings:detail", args=["cached"])
    make_stale(briefing.sections.get(), body="Fixed *in SQL*.")
    assert "Fixed" in client.get(url).content.decode()  # stale version: rendered on read
    Section._base_manager.filter(briefing=briefing).update(
        body="Changed again in SQL.", markdown_version=RENDERER_VERSION
    )
    assert "Fixed" in client.get(url).content.decode()  # the page cache still holds it
    call_command("rerender_markdown", stdout=io.StringIO())
    assert "Changed again in SQL." in client.get(url).content.decode()


def test_every_model_with_markdown_fields_declares_their_html_columns():
    from portal.management.commands.rerender_markdown import rendered_models

    for model in rendered_models():
        assert issubclass(model, RenderedMarkdown)
        for field in model.MARKDOWN_FIELDS:
            assert not model._meta.get_field(f"{field}_html").editable
        assert model.MARKDOWN_FIELDS


def test_featured_theme_without_a_message_shows_the_theme_summary(client):
    theme = Theme.objects.create(name="N", slug="n", summary="Summary *here*")
    today = timezone.localdate()
    FeaturedTheme.objects.create(theme=theme, starts=today - datetime.timedelta(days=1), ends=today)
    assert "Summary <em>here</em>" in client.get("/").content.decode()
