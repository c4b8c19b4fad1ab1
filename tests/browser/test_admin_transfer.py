"""In Chromium: export every briefing from the admin list, then import the zip back through the preview and Confirm."""

import pytest
from playwright.sync_api import expect

from briefings.models import Briefing
from tests.factories import BriefingFactory

from .test_csp_admin import log_in, violations, watch


@pytest.mark.django_db(transaction=True)
def test_export_all_then_import_the_zip_with_preview_and_confirm(page, live_server, tmp_path):
    problems = watch(page)
    BriefingFactory(title="Live one", questions=2, key_facts=1)
    BriefingFactory(title="Draft one", draft=True)
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/briefings/briefing/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export all (.zip)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("briefings-") and path.suffix == ".zip"
    Briefing.objects.filter(slug="draft-one").delete()

    page.get_by_role("link", name="Import .md files").click()
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Check files").click()
    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()
    expect(page.locator("td", has_text="New briefing")).to_have_count(1)
    expect(page.locator("td", has_text="No change")).to_have_count(1)
    assert not Briefing.objects.filter(slug="draft-one").exists()

    page.get_by_role("button", name="Confirm: import 2 files").click()
    expect(page.get_by_text("2 file(s) imported.")).to_be_visible()
    assert Briefing.objects.get(slug="draft-one").status == Briefing.Status.DRAFT
    assert violations(page) == []
    assert problems == []
