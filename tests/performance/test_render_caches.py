"""Caches a page uses when the page cache is off or bypassed: what they save, and that they are never stale."""

import datetime as dt

import pytest
from django.utils import timezone

from briefings.models import Briefing
from portal.models import SiteSettings
from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db
URL = "/briefings/lived-experience/"


@pytest.fixture(autouse=True)
def render_caches_on(settings):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders the page
    settings.BRIEFING_BODY_CACHE_SECONDS = 600
    SiteSettings.load()


LIVED_EXPERIENCE = {
    "title": "Neglect and the lived experience of the child",
    "slug": "lived-experience",
    "summary": "What daily life is like for a neglected child.",
}


def test_a_rendered_briefing_is_served_again_without_a_query(client, django_assert_num_queries):
    BriefingFactory(**LIVED_EXPERIENCE, sections=[("Background", "Mouldy bedding.")])
    assert client.get(URL).status_code == 200
    with django_assert_num_queries(0):
        response = client.get(URL)
    assert "Mouldy bedding." in response.content.decode()


def test_an_edit_or_unpublishing_shows_at_once(client):
    briefing = BriefingFactory(**LIVED_EXPERIENCE, sections=[("Background", "Mouldy bedding.")])
    assert client.get(URL).status_code == 200
    section = briefing.sections.get()
    section.body = "Sheets changed weekly."
    section.save()
    assert "Sheets changed weekly." in client.get(URL).content.decode()
    briefing.status = Briefing.Status.DRAFT
    briefing.save()
    assert client.get(URL).status_code == 404


def test_a_kept_briefing_is_checked_for_publication_on_every_use(client, monkeypatch):
    """The date moves on with no change to content: a kept briefing is still judged by today's date."""
    BriefingFactory(**LIVED_EXPERIENCE, sections=[("Background", "Mouldy bedding.")])
    assert client.get(URL).status_code == 200
    Briefing.objects.filter(slug="lived-experience").update(published=timezone.localdate() + dt.timedelta(days=1))
    monkeypatch.setattr(Briefing, "is_published", property(lambda self: False))
    assert client.get(URL).status_code == 404


def test_staff_never_get_the_kept_public_copy(staff_client):
    briefing = BriefingFactory(**LIVED_EXPERIENCE, sections=[("Background", "Mouldy bedding.")])
    assert staff_client.get(URL).status_code == 200
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.DRAFT)  # no signal
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert response.context["briefing"].status == Briefing.Status.DRAFT
