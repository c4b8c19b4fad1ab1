"""A briefing page with the page cache off or bypassed: every request reads the database, and is never stale."""

import pytest

from briefings.models import Briefing
from portal.models import SiteSettings
from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db
URL = "/briefings/lived-experience/"


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders the page
    SiteSettings.load()


LIVED_EXPERIENCE = {
    "title": "Neglect and the lived experience of the child",
    "slug": "lived-experience",
    "summary": "What daily life is like for a neglected child.",
}


def test_an_edit_or_unpublishing_shows_at_once(client):
    briefing = BriefingFactory(**LIVED_EXPERIENCE, sections=[("Background", "Mouldy bedding.")])
    assert client.get(URL).status_code == 200
    section = briefing.sections.get()
    section.body = "Sheets changed weekly."
    section.save()
    assert "Sheets changed weekly." in client.get(URL).content.decode()
    briefing.status = Briefing.Status.DRAFT
    briefing.save()
    assert client.get(URL).status_code == 410  # withdrawn


def test_staff_see_a_draft_made_with_no_signal_at_once(staff_client):
    briefing = BriefingFactory(**LIVED_EXPERIENCE, sections=[("Background", "Mouldy bedding.")])
    assert staff_client.get(URL).status_code == 200
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.DRAFT)  # no signal
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert response.context["briefing"].status == Briefing.Status.DRAFT
