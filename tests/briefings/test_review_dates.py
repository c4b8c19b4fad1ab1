"""Review dates mean something: readers are told (page, team pack, PDF), and admin says it plainly."""

import datetime
import io

import pytest
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from portal.models import SiteSettings
from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db

NOTICE = "This briefing is due for review"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def test_a_briefing_past_its_review_date_tells_readers_with_the_contact_from_site_settings(client):
    settings_row = SiteSettings.load()
    settings_row.contact_email = "reviews@partnership.example"
    settings_row.save()
    overdue = BriefingFactory(sections=2, review_due=days(-1))
    current = BriefingFactory(sections=2, review_due=days(0))
    page = client.get(overdue.get_absolute_url()).content.decode()
    assert NOTICE in page and "reviews@partnership.example" in page
    assert NOTICE not in client.get(current.get_absolute_url()).content.decode()
    pack = client.get(f"/briefings/{overdue.slug}/team-pack/").content.decode()
    assert NOTICE in pack and "reviews@partnership.example" in pack


def test_the_printed_pdf_carries_the_notice(client):
    overdue = BriefingFactory(sections=2, review_due=days(-3))
    response = client.get(f"/briefings/{overdue.slug}.pdf")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert NOTICE in " ".join(text.split())


@override_settings(PAGE_CACHE_SECONDS=600, BRIEFING_BODY_CACHE_SECONDS=3600)
def test_a_page_cached_before_the_review_date_passes_shows_the_notice_the_next_day(client, monkeypatch):
    briefing = BriefingFactory(sections=2, review_due=days(0))
    first = client.get(briefing.get_absolute_url())
    assert NOTICE not in first.content.decode()
    # Served from the page cache (and the body from its own cache) while the day lasts.
    assert client.get(briefing.get_absolute_url())["ETag"] == first["ETag"]

    real = timezone.localdate
    tomorrow = days(1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: real(*args, **kwargs) if args else tomorrow)
    assert NOTICE in client.get(briefing.get_absolute_url()).content.decode()


def test_admin_list_labels_the_review_column_in_words(admin_client):
    BriefingFactory(title="Late one", sections=0, review_due=days(-5))
    BriefingFactory(title="Soon one", sections=0, review_due=days(10))
    BriefingFactory(title="Later one", sections=0, review_due=days(200))
    BriefingFactory(title="Undated one", sections=0)
    page = admin_client.get("/admin/briefings/briefing/").content.decode()
    assert "icon-yes.svg" not in page and "icon-no.svg" not in page

    def row(title):
        start = page.index(f">{title}<")
        return page[start : page.index("</tr>", start)]

    assert "<strong>Overdue</strong> since" in row("Late one")
    assert "Due in 10 days" in row("Soon one")
    assert "Not due yet" in row("Later one")
    assert "No review date" in row("Undated one")
