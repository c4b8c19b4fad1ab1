"""A briefing page with the page cache off or bypassed: every request reads the database, and is never stale."""

import datetime as dt

import pytest
from django.utils import timezone

from briefings.models import Briefing, Section
from portal.models import SiteSettings

pytestmark = pytest.mark.django_db
URL = "/briefings/lived-experience/"


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders the page
    SiteSettings.load()


def make_briefing(**fields):
    briefing = Briefing.objects.create(
        title="Neglect and the lived experience of the child",
        slug="lived-experience",
        summary="What daily life is like for a neglected child.",
        status=Briefing.Status.PUBLISHED,
        published=timezone.localdate() - dt.timedelta(days=3),
        **fields,
    )
    Section.objects.create(briefing=briefing, position=1, number=1, heading="Background", body="Mouldy bedding.")
    return briefing


def test_an_edit_or_unpublishing_shows_at_once(client):
    briefing = make_briefing()
    assert client.get(URL).status_code == 200
    section = briefing.sections.get()
    section.body = "Sheets changed weekly."
    section.save()
    assert "Sheets changed weekly." in client.get(URL).content.decode()
    briefing.status = Briefing.Status.DRAFT
    briefing.save()
    assert client.get(URL).status_code == 410  # withdrawn


def test_staff_see_a_draft_made_with_no_signal_at_once(staff_client):
    briefing = make_briefing()
    assert staff_client.get(URL).status_code == 200
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.DRAFT)  # no signal
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert response.context["briefing"].status == Briefing.Status.DRAFT
