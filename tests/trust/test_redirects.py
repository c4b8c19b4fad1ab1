"""No address ever breaks: a renamed briefing, course or theme keeps its old addresses (301, one hop)."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from briefings.models import Briefing
from portal.models import Redirect
from tests.factories import BriefingFactory, CourseFactory, ThemeFactory
from tests.trust.conftest import form_data, post_data
from training.models import Course

pytestmark = pytest.mark.django_db

CACHED = override_settings(PAGE_CACHE_SECONDS=600)


def rename(obj, slug):
    obj.slug = slug
    obj.save()


def assert_moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, (old, response.status_code)
    assert response["Location"] == new
    assert client.get(new).status_code == 200, new


@CACHED
def test_a_renamed_briefing_keeps_its_page_team_pack_and_pdf_addresses(client):
    briefing = BriefingFactory(
        title="Neglect in the early years", sections=2, questions=1, key_facts=1, resources=1, slug="old-name"
    )
    # The old page is in the page cache before the rename: the rename must not leave it there.
    assert client.get("/briefings/old-name/").status_code == 200
    rename(briefing, "new-name")
    assert_moved(client, "/briefings/old-name/", "/briefings/new-name/")
    assert_moved(client, "/briefings/old-name/team-pack/", "/briefings/new-name/team-pack/")
    response = client.get("/briefings/old-name.pdf")
    assert response.status_code == 301 and response["Location"] == "/briefings/new-name.pdf"
    response = client.get("/briefings/old-name/team-pack.pdf")
    assert response.status_code == 301 and response["Location"] == "/briefings/new-name/team-pack.pdf"
    assert_moved(client, "/briefings/old-name/present/", "/briefings/new-name/present/")
    # The record form's address is printed on old packs as a QR code.
    assert_moved(client, "/briefings/old-name/record/", "/briefings/new-name/record/")


def test_a_query_string_is_kept(client):
    briefing = BriefingFactory(
        title="Neglect in the early years", sections=2, questions=1, key_facts=1, resources=1, slug="old-name"
    )
    rename(briefing, "new-name")
    assert client.get("/briefings/old-name/?print=1")["Location"] == "/briefings/new-name/?print=1"


def test_changing_a_slug_twice_leaves_both_old_addresses_redirecting_in_one_hop(client):
    briefing = BriefingFactory(
        title="Neglect in the early years", sections=2, questions=1, key_facts=1, resources=1, slug="first"
    )
    rename(briefing, "second")
    rename(briefing, "third")
    for old in ("first", "second"):
        response = client.get(f"/briefings/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/briefings/third/"
    assert set(Redirect.objects.filter(new_path="/briefings/third/").values_list("old_path", flat=True)) == {
        "/briefings/first/",
        "/briefings/second/",
    }


def test_changing_back_removes_the_redirect_so_there_is_no_loop(client):
    briefing = BriefingFactory(
        title="Neglect in the early years", sections=2, questions=1, key_facts=1, resources=1, slug="first"
    )
    rename(briefing, "second")
    rename(briefing, "first")
    assert client.get("/briefings/first/").status_code == 200
    assert_moved(client, "/briefings/second/", "/briefings/first/")
    assert not Redirect.objects.filter(old_path__startswith="/briefings/first").exists()


def test_a_renamed_course_and_theme_keep_their_addresses(client):
    course = CourseFactory(title="Child neglect", outcomes=1, slug="old-course")
    rename(course, "new-course")
    assert_moved(client, "/training/old-course/", "/training/new-course/")
    response = client.get("/training/old-course/sessions.ics")
    assert response.status_code == 301 and response["Location"] == "/training/new-course/sessions.ics"

    theme = ThemeFactory(name="Old theme")
    rename(theme, "new-theme")
    assert_moved(client, "/themes/old-theme/", "/themes/new-theme/")
    assert_moved(client, "/feeds/themes/old-theme/", "/feeds/themes/new-theme/")


def test_a_new_briefing_at_an_old_address_takes_precedence_and_admin_says_so(publisher_client):
    old = BriefingFactory(
        title="Neglect in the early years", sections=2, questions=1, key_facts=1, resources=1, slug="reused"
    )
    rename(old, "moved-on")
    assert publisher_client.get("/briefings/reused/").status_code == 301

    add = publisher_client.get("/admin/briefings/briefing/add/?kind=audit_findings")
    data = form_data(add, "briefing_form")
    data.update(title=["A new briefing"], slug=["reused"], summary=["New."], status=["draft"])
    response = publisher_client.post("/admin/briefings/briefing/add/", post_data(data), follow=True)
    assert response.status_code == 200
    new = Briefing.objects.get(slug="reused")
    assert new.pk != old.pk
    text = response.content.decode()
    assert "/briefings/reused/" in text and "redirected to /briefings/moved-on/" in text
    assert not Redirect.objects.filter(old_path="/briefings/reused/").exists()
    # The address is the new briefing's now (a draft: staff see it), with no redirect in the way.
    assert publisher_client.get("/briefings/reused/").status_code == 200


def test_renaming_in_admin_says_where_the_old_address_now_leads(publisher_client):
    briefing = BriefingFactory(
        title="Neglect in the early years", sections=2, questions=1, key_facts=1, resources=1, slug="before"
    )
    url = f"/admin/briefings/briefing/{briefing.pk}/change/"
    data = form_data(publisher_client.get(url), "briefing_form")
    data["slug"] = ["after"]
    response = publisher_client.post(url, post_data(data), follow=True)
    assert "/briefings/before/ now redirects to /briefings/after/" in response.content.decode()


def test_staff_see_and_edit_redirects_in_admin_and_a_chain_or_loop_is_refused(publisher_client):
    briefing = BriefingFactory(
        title="Neglect in the early years", sections=2, questions=1, key_facts=1, resources=1, slug="one"
    )
    rename(briefing, "two")
    listing = publisher_client.get("/admin/portal/redirect/")
    assert listing.status_code == 200 and "/briefings/one/" in listing.content.decode()

    add = "/admin/portal/redirect/add/"
    # Pointing at an address that itself redirects would make a chain.
    response = publisher_client.post(add, {"old_path": "/old-leaflet/", "new_path": "/briefings/one/"})
    assert response.status_code == 200 and "itself redirects" in response.content.decode()
    response = publisher_client.post(add, {"old_path": "/same/", "new_path": "/same/"})
    assert response.status_code == 200 and "to itself" in response.content.decode()
    response = publisher_client.post(add, {"old_path": "no-slash", "new_path": "/briefings/two/"})
    assert response.status_code == 200 and "starts with /" in response.content.decode()
    assert publisher_client.post(add, {"old_path": "/old-leaflet/", "new_path": "/briefings/two/"}).status_code == 302
    assert_moved(publisher_client, "/old-leaflet/", "/briefings/two/")


def test_a_withdrawn_briefing_answers_410_with_a_link_to_its_theme(client):
    theme = ThemeFactory(name="Early years")
    briefing = BriefingFactory(
        title="Neglect in the early years", sections=2, questions=1, key_facts=1, resources=1, slug="withdrawn-one"
    )
    briefing.themes.add(theme)
    assert client.get("/briefings/withdrawn-one/").status_code == 200
    briefing.status = Briefing.Status.DRAFT
    briefing.save()
    for address in ("/briefings/withdrawn-one/", "/briefings/withdrawn-one/team-pack/", "/briefings/withdrawn-one.pdf"):
        response = client.get(address)
        assert response.status_code == 410, address
        text = response.content.decode()
        assert "withdrawn" in text and 'href="/themes/early-years/"' in text


def test_a_withdrawn_course_answers_410_with_a_link_to_its_theme(client):
    course = CourseFactory(title="Graded Care Profile 2", slug="gcp2", themes=[ThemeFactory(name="Early years")])
    CourseFactory(title="Never out", slug="never-out", draft=True)
    assert client.get("/training/gcp2/").status_code == 200
    course.status = Course.Status.DRAFT
    course.save()
    response = client.get("/training/gcp2/")
    assert response.status_code == 410
    text = response.content.decode()
    assert "This course has been withdrawn" in text and "“Graded Care Profile 2”" in text
    assert 'href="/themes/early-years/"' in text and 'href="/training/"' in text
    assert response["Cache-Control"] == "no-cache"
    # A draft the public never saw keeps its title to itself.
    assert client.get("/training/never-out/").status_code == 404


def test_a_briefing_never_published_stays_404(client):
    BriefingFactory(
        title="Neglect in the early years",
        draft=True,
        sections=2,
        questions=1,
        key_facts=1,
        resources=1,
        slug="never-out",
    )
    # Scheduled for a date still to come, then taken back: the public never saw it.
    scheduled = BriefingFactory(
        title="Scheduled",
        sections=2,
        questions=1,
        key_facts=1,
        resources=1,
        slug="scheduled",
        published=timezone.localdate() + datetime.timedelta(7),
    )
    scheduled.status = Briefing.Status.DRAFT
    scheduled.save()
    assert client.get("/briefings/never-out/").status_code == 404
    assert client.get("/briefings/scheduled/").status_code == 404
    assert client.get("/briefings/no-such-thing/").status_code == 404


@pytest.mark.parametrize("path", ["/briefings/a%00b/", "/briefings/" + "x" * 700 + "/"])
def test_an_address_no_redirect_can_have_is_a_plain_not_found(client, path):
    """A NUL byte (PostgreSQL refuses it in a query) or an address longer than any stored one: 404, never 500."""
    Redirect.objects.create(old_path="/briefings/old/", new_path="/briefings/new/")
    assert client.get(path).status_code == 404
