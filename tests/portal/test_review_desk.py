"""The review desk on the admin index: what needs doing, each row linked, in a fixed number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import desk, publication
from tests.factories import BriefingFactory, CourseFactory, UserFactory
from tests.trust.conftest import form_data, post_data

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def age(obj, n):
    """Make `obj` look last touched `n` days ago (auto_now would overwrite a save)."""
    type(obj).objects.filter(pk=obj.pk).update(updated_at=timezone.now() - datetime.timedelta(days=n))


def panel(page, slug):
    match = re.search(rf'<section[^>]*id="desk-{slug}".*?</section>', page, re.S)
    assert match, f"no panel {slug}"
    return match.group(0)


@pytest.fixture
def content(db):
    soon = BriefingFactory(title="Due soon", sections=0, review_due=days(5))
    BriefingFactory(title="Due later", sections=0, review_due=days(40))
    late = BriefingFactory(title="Long overdue", sections=0, review_due=days(-30))
    BriefingFactory(title="Just overdue", sections=0, review_due=days(-1))
    old_draft = BriefingFactory(title="Forgotten draft", sections=0, draft=True, published=None)
    age(old_draft, 120)
    fresh_draft = BriefingFactory(title="Fresh draft", sections=0, draft=True, published=None)
    age(fresh_draft, 10)
    old_course = CourseFactory(title="Forgotten course", draft=True)
    age(old_course, 100)
    new = BriefingFactory(title="Out last week", sections=0, published=days(-7))
    BriefingFactory(title="Out last year", sections=0, published=days(-400))
    return {"soon": soon, "late": late, "old_draft": old_draft, "old_course": old_course, "new": new}


def test_the_admin_index_opens_with_what_needs_doing(admin_client, content):
    page = admin_client.get("/admin/").content.decode()
    titles = [re.search(r"<h3[^>]*>([^<(]+)", panel(page, slug)).group(1).strip() for slug in (
        "awaiting-approval", "returned-to-me", "due-for-review", "overdue", "untouched-drafts", "recently-published"
    )]  # fmt: skip
    assert titles == [
        "Awaiting approval",
        "Returned to me",
        "Due for review in the next 30 days",
        "Overdue for review",
        "Drafts untouched for 90 days",
        "Recently published",
    ]
    assert page.index('id="review-desk"') < page.index('id="content-main"') or 'id="review-desk"' in page

    due = panel(page, "due-for-review")
    assert "Due soon" in due and "Due later" not in due and "due in 5 days" in due
    overdue = panel(page, "overdue")
    assert overdue.index("Long overdue") < overdue.index("Just overdue")  # longest overdue first
    drafts = panel(page, "untouched-drafts")
    assert "Forgotten draft" in drafts and "Forgotten course" in drafts and "Fresh draft" not in drafts
    assert drafts.index("Forgotten draft") < drafts.index("Forgotten course")  # oldest first
    recent = panel(page, "recently-published")
    assert "Out last week" in recent and "Out last year" not in recent


def test_each_row_links_to_the_thing_itself(admin_client, content):
    page = admin_client.get("/admin/").content.decode()
    soon = content["soon"]
    due = panel(page, "due-for-review")
    assert f'href="/admin/briefings/briefing/{soon.pk}/change/"' in due
    assert f'href="/briefings/{soon.slug}/"' in due
    drafts = panel(page, "untouched-drafts")
    assert f'href="/admin/training/course/{content["old_course"].pk}/change/"' in drafts
    assert f'href="/briefings/{content["old_draft"].slug}/"' not in drafts  # a draft has no public page
    for slug in ("due-for-review", "overdue", "untouched-drafts", "recently-published"):
        for href in re.findall(r'href="([^"]+)"', panel(page, slug)):
            assert admin_client.get(href).status_code == 200, href


def test_a_change_waiting_for_approval_and_its_return_show_on_the_desk(client, content):
    """An editor's change to a published briefing is on the publishers' desk, and once returned on the editor's."""
    editor, publisher = UserFactory(username="eddie", editor=True), UserFactory(username="pat", publisher=True)
    live = content["soon"]
    url = f"/admin/briefings/briefing/{live.pk}/change/"
    client.force_login(editor)
    data = form_data(client.get(url), "briefing_form")
    data["summary"] = ["Rewritten by the editor."]
    response = client.post(url, post_data(data))
    assert response.status_code == 302, response.context["errors"]
    client.force_login(publisher)
    waiting = panel(client.get("/admin/").content.decode(), "awaiting-approval")
    assert "Due soon" in waiting and f"/admin/briefings/briefing/{live.pk}/changes/" in waiting
    revision = publication.pending_for(live)
    review = f"/admin/briefings/briefing/{live.pk}/changes/"
    client.post(review, {"revision": revision.pk, "decision": "return", "comment": "Please cite the audit."})
    assert "Nothing is waiting for approval." in panel(client.get("/admin/").content.decode(), "awaiting-approval")
    client.force_login(editor)
    returned = panel(client.get("/admin/").content.decode(), "returned-to-me")
    assert "Due soon" in returned and "Please cite the audit." in returned


def test_an_editor_sees_the_desk_without_links_to_what_they_cannot_open(client, content):
    client.force_login(UserFactory(username="eddie", editor=True))
    page = client.get("/admin/").content.decode()
    assert "Due soon" in panel(page, "due-for-review")


def test_the_desk_takes_the_same_number_of_queries_however_much_content(admin_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/admin/").status_code == 200
        return len(captured)

    BriefingFactory(sections=0, review_due=days(3))
    queries()  # the first request fills the session and other one-off caches
    few = queries()
    for n in range(25):
        BriefingFactory(sections=0, review_due=days(n % 30))
        BriefingFactory(sections=0, review_due=days(-n - 1))
        age(BriefingFactory(sections=0, draft=True, published=None), 100 + n)
        age(CourseFactory(draft=True), 100 + n)
    queries()  # content changed: the site settings are read again once
    many = queries()
    assert many == few
    page = admin_client.get("/admin/").content.decode()
    assert panel(page, "overdue").count("<tr>") == desk.PANEL_ROWS + 1  # the header row and PANEL_ROWS rows
    assert "See them all" in panel(page, "overdue")
