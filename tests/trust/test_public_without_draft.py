"""Themes, themes of the month and published stand-alone resources have no draft: only publishers change them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import FeaturedTheme, Resource, Theme

pytestmark = pytest.mark.urls("portal.site.urls")


@pytest.fixture
def theme(db):
    return Theme.objects.create(name="Neglect", slug="neglect", summary="Neglect.", description="What we know.")


@pytest.fixture
def leaflet(db):
    return Resource.objects.create(
        title="Neglect leaflet", url="https://example.org/leaflet", status=Resource.Status.PUBLISHED
    )


def change(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_an_editor_sees_a_theme_but_cannot_change_it(editor_client, theme):
    page = editor_client.get(change(theme))
    assert page.status_code == 200 and b"What we know." in page.content
    assert b'name="_save"' not in page.content  # Django's read-only view
    post = {"name": "Renamed", "slug": "neglect", "summary": "Neglect.", "description": "Rewritten."}
    assert editor_client.post(change(theme), post).status_code == 403
    assert Theme.objects.get(pk=theme.pk).description == "What we know."
    assert editor_client.post(reverse("admin:briefings_theme_add"), {**post, "slug": "new"}).status_code == 403
    assert not Theme.objects.filter(slug="new").exists()


def test_an_editor_cannot_change_the_theme_of_the_month(editor_client, theme):
    today = timezone.localdate()
    feature = FeaturedTheme.objects.create(theme=theme, starts=today, ends=today + datetime.timedelta(days=30))
    post = {"theme": theme.pk, "starts": today, "ends": today, "message": "Changed on the home page."}
    assert editor_client.post(change(feature), post).status_code == 403
    assert FeaturedTheme.objects.get(pk=feature.pk).message == ""


def test_a_publisher_changes_a_theme(publisher_client, theme):
    post = {"name": "Neglect", "slug": "neglect", "summary": "Neglect.", "description": "Rewritten."}
    assert publisher_client.post(change(theme), post).status_code == 302
    assert Theme.objects.get(pk=theme.pk).description == "Rewritten."


def test_an_editor_cannot_change_a_published_stand_alone_resource(editor_client, leaflet):
    post = {"title": "Rewritten", "kind": leaflet.kind, "url": "https://example.org/other", "position": 1}
    assert editor_client.post(change(leaflet), post).status_code == 403
    assert Resource.objects.get(pk=leaflet.pk).url == "https://example.org/leaflet"


def test_an_editor_still_works_on_a_draft_stand_alone_resource(editor_client, leaflet):
    Resource.objects.filter(pk=leaflet.pk).update(status=Resource.Status.DRAFT)
    assert b'name="_save"' in editor_client.get(change(leaflet)).content
    assert editor_client.get(reverse("admin:briefings_resource_add")).status_code == 200
