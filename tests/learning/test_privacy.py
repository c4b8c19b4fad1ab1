"""The privacy notice: built in, or written in site settings (rendered when saved), linked from every form."""

import hashlib
import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver

from alerts.sending import UNCONFIRMED_KEPT
from alerts.subscriptions import CONFIRM_SALT
from learning.models import FollowUp
from portal.markdown import RENDERER_VERSION
from portal.models import SiteSettings
from tests.factories import (
    BriefingFactory,
    CourseFactory,
    FollowUpFactory,
    SessionFactory,
    SubscriberFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def test_built_in_notice_says_what_is_stored_and_for_how_long(client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"record_retention_months": 18})
    page = client.get("/privacy/").content.decode()
    assert "<h1>Privacy notice</h1>" in page
    assert "kept for 18 months, then erased" in page
    assert "deleted as soon as you answer, or when the link expires (30 days after we send it)" in page
    assert "<h2>Follow-up email</h2>" in page


def test_built_in_notice_gives_the_time_unconfirmed_alert_addresses_are_kept(client):
    page = client.get("/privacy/").content.decode()
    assert f"not confirmed within {UNCONFIRMED_KEPT.days} days is deleted" in page


def test_notice_written_in_site_settings_is_rendered_when_saved_and_cleaned(client):
    site = SiteSettings.load()
    site.privacy_notice = "## Our notice\n\nWe keep *little*.<script>alert(1)</script>"
    site.save()
    row = SiteSettings.objects.values("privacy_notice_html", "markdown_version").get()
    assert "<h2>Our notice</h2>" in row["privacy_notice_html"] and "<script" not in row["privacy_notice_html"]
    assert row["markdown_version"] == RENDERER_VERSION
    page = client.get("/privacy/").content.decode()
    assert "<h2>Our notice</h2>" in page and "<em>little</em>" in page
    assert "Follow-up email" not in page
    assert "alert(1)" not in page


def test_site_settings_admin_edits_the_notice_and_the_retention_period(publisher_client):
    SiteSettings.load()
    page = publisher_client.get("/admin/portal/sitesettings/1/change/").content.decode()
    assert 'name="privacy_notice"' in page and 'name="record_retention_months"' in page


POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post", re.IGNORECASE)
PRIVACY_INCLUDE = '{% include "includes/privacy_link.html" %}'
# Staff pages (the admin and its templates) and emails are not forms the public fills in.
NOT_PUBLIC = {"admin", "email"}
# The contrast toggle on every page keeps the reader's choice in their own browser, nothing on the server.
NOTHING_STORED = {"base.html"}
NOT_PUBLIC_URLS = ("admin/", "markdownx/", "media/")


def public_form_templates():
    """Every site template outside admin and emails that holds a form sending something to the site (POST)."""
    found = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            if NOT_PUBLIC & set(path.relative_to(folder).parts) or name in NOTHING_STORED:
                continue
            text = path.read_text()
            if POST_FORM.search(text):
                found.append((name, text))
    return found


def test_every_public_form_template_includes_the_privacy_link():
    templates = public_form_templates()
    # The walk finds the forms it must: the record and follow-up forms, the vote, the alerts pages.
    expected = {"learning/record.html", "learning/follow_up.html", "learning/includes/useful.html",
                "alerts/subscribe.html", "alerts/manage.html", "alerts/confirm.html"}  # fmt: skip
    assert expected <= {name for name, _ in templates}
    missing = [name for name, text in templates if PRIVACY_INCLUDE not in text]
    assert missing == [], f"forms without {PRIVACY_INCLUDE}: {missing}"


def public_routes(patterns=None, prefix=""):
    """(url name, route) of every public page in the URLconf, nested includes walked."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(NOT_PUBLIC_URLS):
            continue
        if isinstance(entry, URLResolver):
            yield from public_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield entry.name, route


def filled_in(route, samples):
    """Every address the route makes with the sample values for its parameters (none if it has a parameter we lack)."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    for values in itertools.product(*(samples.get(name, []) for name in names)):
        path = route
        for name, value in zip(names, values, strict=True):
            path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path, count=1)
        yield "/" + path.lstrip("^").rstrip("$")


def test_every_public_page_with_a_form_links_the_privacy_notice_in_its_content(client):
    briefing, course, theme = BriefingFactory(), CourseFactory(), ThemeFactory()
    session = SessionFactory(course=course)
    subscriber = SubscriberFactory()
    FollowUpFactory(
        status=FollowUp.Status.SENT, answer="", answered_at=None, token_hash=hashlib.sha256(b"tok").hexdigest()
    )
    samples = {
        "slug": [briefing.slug, course.slug, theme.slug],
        "kind": ["briefing", "course"],
        "token": [subscriber.token, "tok"],
        "code": [signing.dumps(subscriber.token, salt=CONFIRM_SALT)],
        "pk": [session.pk],
    }
    with_forms = set()
    for name, route in public_routes():
        for path in filled_in(route, samples):
            response = client.get(path)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            main = re.search(r"<main\b.*?</main>", response.content.decode(), re.DOTALL)
            if main and POST_FORM.search(main.group()):
                with_forms.add(name)
                assert 'href="/privacy/"' in main.group(), f"{path} has a form but no link to the privacy notice"
    assert {"record", "follow-up", "detail", "subscribe", "manage", "confirm", "unsubscribe"} <= with_forms


def test_the_link_under_the_vote_form_is_served_from_the_page_cache(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()
    briefing = BriefingFactory()
    first = client.get(briefing.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(briefing.get_absolute_url())
    assert again["ETag"] == first["ETag"]
    assert again.content.decode().count('href="/privacy/"') == 1


@pytest.mark.parametrize("path", ["/briefings/lived-experience/record/", "/briefings/lived-experience/record/thanks/"])
def test_record_pages_link_the_privacy_notice(client, path):
    BriefingFactory(slug="lived-experience")
    assert 'href="/privacy/"' in client.get(path).content.decode()
