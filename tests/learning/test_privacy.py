"""The privacy notice: built in, or written in site settings (rendered when saved), linked from every form."""

import pytest

from portal.markdown import RENDERER_VERSION
from portal.models import SiteSettings
from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db


def test_built_in_notice_says_what_is_stored_and_for_how_long(client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"record_retention_months": 18})
    page = client.get("/privacy/").content.decode()
    assert "<h1>Privacy notice</h1>" in page
    assert "kept for 18 months, then erased" in page
    assert "deleted as soon as you answer, or when the link expires (30 days after we send it)" in page
    assert "<h2>Follow-up email</h2>" in page


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


@pytest.mark.parametrize("path", ["/briefings/lived-experience/record/", "/briefings/lived-experience/record/thanks/"])
def test_record_pages_link_the_privacy_notice(client, path):
    BriefingFactory(slug="lived-experience")
    assert 'href="/privacy/"' in client.get(path).content.decode()
