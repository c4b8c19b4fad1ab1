"""A briefing's body is rendered when it changes and stored, so a page reads one row; it is never stale."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefings import body
from briefings.models import Briefing, Resource, Section, StoredBody, Theme
from portal.models import SiteSettings
from tests.factories import BriefingFactory, CourseFactory
from training.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def settings_row():
    SiteSettings.load()  # read once per worker from the cache afterwards


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the tests run inside one transaction that never commits)."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


def page(client, briefing):
    content = client.get(briefing.get_absolute_url()).content.decode()
    return re.sub(r'nonce="[^"]*"', 'nonce=""', content)


def stored_html(briefing):
    return StoredBody.objects.get(briefing=briefing).html


def test_a_stored_body_is_served_from_one_query(client, committed):
    theme = Theme.objects.create(name="Home conditions", slug="home-conditions")
    briefing = committed(
        BriefingFactory, sections=7, questions=3, key_facts=2, resources=2, themes=[theme], slug="one-row"
    )
    committed(briefing.courses.add, CourseFactory(title="Graded care profile"))
    client.get("/")  # the site settings and the header links are read once per worker
    # The first page to find the related briefings not stored asks the worker to store them (once per worker).
    client.get(briefing.get_absolute_url())
    # The briefing with its body, and the related briefings (not stored yet: no worker ran).
    with CaptureQueriesContext(connection) as queries:
        response = client.get(briefing.get_absolute_url())
    # PostgreSQL also prepares each query once per connection (PREPARE): not a query per page.
    assert len([q for q in queries.captured_queries if not q["sql"].startswith("PREPARE ")]) == 2
    content = response.content.decode()
    assert "Part 7" in content and "Graded care profile" in content
    assert '<meta property="article:tag" content="Home conditions">' in content


def test_the_stored_body_gives_the_same_page_as_rendering_from_the_parts(client, committed):
    theme = Theme.objects.create(name="Neglect", slug="neglect")
    briefing = committed(BriefingFactory, sections=3, questions=2, key_facts=1, resources=1, themes=[theme])
    committed(briefing.courses.add, CourseFactory())
    from_store = page(client, briefing)
    StoredBody.objects.all().delete()
    assert page(client, briefing) == from_store


def test_the_parts_that_show_only_the_briefing_are_stored_and_show_the_readers_own_host(client, committed, settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    briefing = committed(BriefingFactory, sections=1, title="Curly “quotes” & more", slug="stored-parts")
    row = StoredBody.objects.get(briefing=briefing)
    for part in ("crumbs", "print_header", "share", "useful", "card"):
        assert getattr(row, part), part
    assert body.ORIGIN in row.crumbs and body.ORIGIN in row.print_header and body.PRINTED_ON in row.print_header
    assert "Curly “quotes” &amp; more" in row.card
    # Stored parts are the whole page: nothing a part shows is rendered again on a request (the card is for others).
    row.crumbs = row.crumbs.replace("Curly", "Stored-crumb")
    row.share = row.share.replace("Share this page", "Stored share")
    row.useful = row.useful.replace("Was this useful?", "Stored useful")
    row.save()
    content = client.get(briefing.get_absolute_url(), HTTP_HOST="portal.example.org").content.decode()
    assert "Stored-crumb" in content and "Stored share" in content and "Stored useful" in content
    address = "http://portal.example.org/briefings/stored-parts/"
    assert f'"item": "{address}"' in content  # the breadcrumbs' JSON-LD
    assert f'data-copy-link="{address}"' in content
    assert "body=http%3A%2F%2Fportal.example.org%2Fbriefings%2Fstored-parts%2F" in content  # the share email
    assert f'<span class="print-header__url">{address}</span>' in content
    assert "this-site.invalid" not in content and "this-site.invalid" not in content.replace("%2F", "/")
    assert body.PRINTED_ON not in content and 'Printed on <time class="print-date"' in content


def test_after_a_vote_the_answer_is_rendered_for_the_request_in_place_of_the_stored_form(client, committed):
    briefing = committed(BriefingFactory, sections=1)
    assert 'class="useful__form"' in client.get(briefing.get_absolute_url()).content.decode()
    thanks = client.get(briefing.get_absolute_url() + "?useful=thanks").content.decode()
    assert "Thank you for your answer." in thanks and 'class="useful__form"' not in thanks
    junk = client.get(briefing.get_absolute_url() + "?useful=%3Cscript%3E").content.decode()
    assert 'class="useful__form"' in junk and "<script>" not in junk


def test_a_related_briefings_card_is_stored_with_it_and_rendered_when_out_of_date(
    client, committed, django_assert_num_queries
):
    theme = Theme.objects.create(name="Home conditions", slug="home-conditions")
    page_of = committed(BriefingFactory, sections=1, themes=[theme], slug="page-of")
    other = committed(BriefingFactory, sections=1, themes=[theme], title="Stored card title", slug="other")
    StoredBody.objects.filter(briefing=other).update(card=StoredBody.objects.get(briefing=other).card.replace(
        "Stored card title", "Read from the stored card"))  # fmt: skip
    client.get("/")
    client.get(page_of.get_absolute_url())  # asks the worker to store the related briefings (once per worker)
    with django_assert_num_queries(2):
        content = client.get(page_of.get_absolute_url()).content.decode()
    assert "Read from the stored card" in content
    # Changed without signals (a shell, SQL): the stored card no longer matches and is rendered from the row.
    Briefing.objects.filter(pk=other.pk).update(title="Retitled in a shell")
    content = client.get(page_of.get_absolute_url()).content.decode()
    assert "Retitled in a shell" in content and "Read from the stored card" not in content


def test_every_route_that_changes_what_a_body_shows_stores_it_again(committed):
    theme = Theme.objects.create(name="Old theme name", slug="theme")
    course = CourseFactory(title="Old course title")
    briefing = committed(BriefingFactory, sections=1, themes=[theme])
    section = briefing.sections.get()

    def shows(text):
        assert text in stored_html(briefing)
        assert body.stored(Briefing.objects.select_related("stored_body").get(pk=briefing.pk)) is not None

    committed(Briefing.objects.filter(pk=briefing.pk).update, title="Title by update")  # no signal, no version
    assert body.stored(Briefing.objects.select_related("stored_body").get(pk=briefing.pk)) is None
    briefing.refresh_from_db()
    briefing.title = "Title saved"
    committed(briefing.save)
    shows("Title saved")
    section.body = "Section *saved*"
    committed(section.save)
    shows("Section <em>saved</em>")
    committed(Section.objects.filter(pk=section.pk).update, body="Section by update")
    shows("Section by update")
    committed(Section.objects.bulk_create, [Section(briefing=briefing, position=5, heading="Added in bulk")])
    shows("Added in bulk")
    committed(briefing.courses.add, course)
    shows("Old course title")
    course.title = "Course title saved"
    committed(course.save)
    shows("Course title saved")
    committed(Course.objects.filter(pk=course.pk).update, status=Course.Status.DRAFT)
    assert "Course title saved" not in stored_html(briefing)
    theme.name = "Theme renamed"
    committed(theme.save)
    shows("Theme renamed")
    committed(Theme.objects.filter(pk=theme.pk).update, name="Theme by update")
    shows("Theme by update")
    other = Theme.objects.create(name="Another theme", slug="another")
    committed(other.briefings.add, briefing)
    shows("Another theme")
    committed(other.delete)
    assert "Another theme" not in stored_html(briefing)
    committed(briefing.themes.clear)
    assert "Theme by update" not in stored_html(briefing)
    committed(section.delete)
    assert "Section by update" not in stored_html(briefing)


def test_a_change_not_yet_stored_is_rendered_from_the_parts(client, committed):
    briefing = committed(BriefingFactory, sections=1, slug="pending")
    Section.objects.filter(briefing=briefing).update(body="Changed, not yet committed")  # on_commit never runs
    Briefing.objects.filter(pk=briefing.pk).update(title="Retitled in a shell")
    content = page(client, briefing)
    assert "Changed, not yet committed" in content and "Retitled in a shell" in content


def test_rerender_markdown_stores_bodies_again_and_stale_only_skips_current_ones(committed):
    first = committed(BriefingFactory, sections=1)
    second = committed(BriefingFactory, sections=1)
    StoredBody.objects.filter(briefing=first).update(key="made by older templates", html="old")
    StoredBody.objects.filter(briefing=second).update(html="current key, changed by hand")
    call_command("rerender_markdown", "--stale-only", stdout=io.StringIO())
    assert "Part 1" in stored_html(first)
    assert stored_html(second) == "current key, changed by hand"
    call_command("rerender_markdown", stdout=io.StringIO())
    assert "Part 1" in stored_html(second)


def test_a_template_change_makes_every_stored_body_out_of_date(committed, monkeypatch):
    briefing = committed(BriefingFactory, sections=1)
    loaded = Briefing.objects.select_related("stored_body").get(pk=briefing.pk)
    assert body.stored(loaded) is not None
    monkeypatch.setattr(body, "_templates_digest", ["another template"])
    assert body.stored(loaded) is None


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_body_is_stored_after_the_part_is_written():
    """In autocommit a part's save moves the version before the row is written: the body waits for the row."""
    first = BriefingFactory(sections=1)
    second = BriefingFactory(sections=1)
    resource = Resource.objects.create(briefing=first, title="Uploaded toolkit", url="https://example.org/t")
    assert "Uploaded toolkit" in stored_html(first)
    resource.briefing = second
    resource.save()
    assert "Uploaded toolkit" not in stored_html(first) and "Uploaded toolkit" in stored_html(second)
    resource.delete()
    assert "Uploaded toolkit" not in stored_html(second)
