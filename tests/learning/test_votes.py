"""'Was this useful?': one answer per browser per page, no JavaScript needed, cache kept, comments never shown."""

import pytest
from django.core.cache import cache

from learning import votes
from learning.models import UsefulnessVote
from portal.models import SiteSettings
from tests.factories import BriefingFactory, CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_SITE = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "null"}


def vote(client, path, answer="yes", comment="", **headers):
    return client.post(path, {"useful": answer, "comment": comment}, **{**SAME_SITE, **headers})


@pytest.fixture
def briefing():
    return BriefingFactory(slug="lived-experience", title="Lived experience")


def test_the_form_is_on_every_briefing_and_course_page_with_no_per_reader_token(client, briefing):
    course = CourseFactory(slug="graded-care")
    for page, action in [(briefing, "/useful/briefing/lived-experience/"), (course, "/useful/course/graded-care/")]:
        response = client.get(page.get_absolute_url())
        content = response.content.decode()
        assert f'action="{action}"' in content
        assert "Was this useful?" in content
        assert "Do not name or describe any child" in content
        assert "csrfmiddlewaretoken" not in content
        assert not response.cookies


def test_a_vote_without_javascript_is_saved_and_redirects_back_with_thanks(client, briefing):
    response = vote(client, "/useful/briefing/lived-experience/", "no", "Too long for our team meeting.")
    assert response.status_code == 303
    assert response["Location"] == "/briefings/lived-experience/?useful=thanks#useful"
    saved = UsefulnessVote.objects.get()
    assert (saved.briefing, saved.useful, saved.comment) == (briefing, False, "Too long for our team meeting.")
    token = response.cookies[votes.VOTER_COOKIE]
    assert saved.voter == votes.digest(token.value) and token.value not in saved.voter
    assert token["httponly"] and token["samesite"] == "Strict" and token["path"] == "/useful/"
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you for your answer." in thanks
    assert 'action="/useful/' not in thanks


def test_a_course_vote_is_about_the_course(client):
    course = CourseFactory(slug="graded-care")
    response = vote(client, "/useful/course/graded-care/", "yes")
    assert response["Location"] == "/training/graded-care/?useful=thanks#useful"
    assert UsefulnessVote.objects.get().course == course


def test_one_answer_per_browser_per_page(client, briefing):
    other = BriefingFactory(slug="other")
    vote(client, "/useful/briefing/lived-experience/", "yes")
    again = vote(client, "/useful/briefing/lived-experience/", "no", "changed my mind")
    assert again["Location"] == "/briefings/lived-experience/?useful=already#useful"
    assert "already answered" in client.get(again["Location"]).content.decode()
    assert list(UsefulnessVote.objects.values_list("useful", "comment")) == [(True, "")]
    # The same browser may still answer about another page, and another browser about this one.
    vote(client, "/useful/briefing/other/", "no")
    assert UsefulnessVote.objects.filter(briefing=other).count() == 1
    client.cookies.clear()
    vote(client, "/useful/briefing/lived-experience/", "no")
    assert UsefulnessVote.objects.filter(briefing=briefing).count() == 2


def test_a_made_up_voter_cookie_is_replaced_not_stored(client, briefing):
    client.cookies[votes.VOTER_COOKIE] = "x" * 5000
    response = vote(client, "/useful/briefing/lived-experience/")
    assert response.status_code == 303
    assert votes.VOTER_TOKEN.fullmatch(response.cookies[votes.VOTER_COOKIE].value)
    assert len(UsefulnessVote.objects.get().voter) == 64


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"comment": "no choice made"}, "Choose Yes or No."),
        ({"useful": "maybe"}, "Select a valid choice."),
        ({"useful": "yes", "comment": "x" * 1001}, "Keep the comment to 1000 characters or fewer (it has 1001)."),
        ({"useful": "yes", "comment": "a\x00b"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_clear_message_keeps_the_comment_and_saves_nothing(client, briefing, data, message):
    response = client.post("/useful/briefing/lived-experience/", data, **SAME_SITE)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Your answer was not saved." in content and message in content
    if "comment" in data and "\x00" not in data["comment"]:
        assert data["comment"] in content
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert not UsefulnessVote.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {"HTTP_SEC_FETCH_SITE": "", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "", "HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "", "HTTP_ORIGIN": "", "HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_SEC_FETCH_SITE": "", "HTTP_ORIGIN": ""},
    ],
)
def test_a_post_not_sent_from_this_site_is_refused_with_a_message(client, briefing, headers):
    response = client.post("/useful/briefing/lived-experience/", {"useful": "yes"}, **headers)
    assert response.status_code == 403
    assert "did not confirm that it was sent from this website" in response.content.decode()
    assert not UsefulnessVote.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_REFERER": "http://testserver/briefings/lived-experience/"},
    ],
)
def test_a_post_from_this_site_is_accepted(client, briefing, headers):
    response = client.post("/useful/briefing/lived-experience/", {"useful": "yes"}, **headers)
    assert response.status_code == 303


def test_answers_are_rate_limited_per_address(client, briefing):
    for n in range(votes.VOTES_PER_HOUR):
        client.cookies.clear()
        assert vote(client, "/useful/briefing/lived-experience/", REMOTE_ADDR="10.0.0.1").status_code == 303, n
    client.cookies.clear()
    refused = vote(client, "/useful/briefing/lived-experience/", "yes", "kept", REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429
    assert "try again later" in refused.content.decode() and "kept" in refused.content.decode()
    assert UsefulnessVote.objects.count() == votes.VOTES_PER_HOUR
    assert vote(client, "/useful/briefing/lived-experience/", REMOTE_ADDR="10.0.0.2").status_code == 303


def test_drafts_unknown_pages_and_gets_are_refused(client):
    BriefingFactory(draft=True, published=None, slug="draft")
    assert vote(client, "/useful/briefing/draft/").status_code == 404
    assert vote(client, "/useful/briefing/nowhere/").status_code == 404
    assert vote(client, "/useful/theme/anything/").status_code == 404
    assert client.get("/useful/briefing/draft/").status_code == 405
    assert not UsefulnessVote.objects.exists()


def test_comments_are_never_shown_to_readers(client, briefing):
    course = CourseFactory(slug="graded-care")
    vote(client, "/useful/briefing/lived-experience/", "no", "SECRET-COMMENT-1")
    vote(client, "/useful/course/graded-care/", "no", "SECRET-COMMENT-2")
    client.cookies.clear()
    for path in [
        briefing.get_absolute_url(),
        briefing.get_absolute_url() + "?useful=thanks",
        briefing.get_absolute_url() + "?useful=already",
        course.get_absolute_url() + "?useful=thanks",
        "/briefings/lived-experience/present/",
        "/search/?q=SECRET",
        "/",
    ]:
        assert "SECRET-COMMENT" not in client.get(path).content.decode(), path
    # Nor on the page that shows a refused answer to someone else.
    refused = client.post("/useful/briefing/lived-experience/", {"useful": "maybe"}, **SAME_SITE)
    assert "SECRET-COMMENT" not in refused.content.decode()


def test_a_vote_leaves_the_page_cache_alone(client, settings, briefing, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()
    cache.clear()
    first = client.get(briefing.get_absolute_url())
    assert vote(client, "/useful/briefing/lived-experience/", "yes", "helpful").status_code == 303
    # Still the stored page, for the voter (the cookie goes to /useful/ only) and for anyone else.
    with django_assert_num_queries(0):
        after = client.get(briefing.get_absolute_url())
    assert after["ETag"] == first["ETag"]
    with django_assert_num_queries(0):
        assert client.get(briefing.get_absolute_url(), HTTP_COOKIE="")["ETag"] == first["ETag"]
    # The thank-you page is the same for everyone, so it is cached too.
    client.get(briefing.get_absolute_url() + "?useful=thanks")
    with django_assert_num_queries(0):
        client.get(briefing.get_absolute_url() + "?useful=thanks")


def test_votes_are_listed_read_only_in_admin(client, briefing):
    vote(client, "/useful/briefing/lived-experience/", "no", "Needs a version for schools")
    client.force_login(UserFactory(superuser=True))
    listing = client.get("/admin/learning/usefulnessvote/")
    assert listing.status_code == 200
    assert "Needs a version for schools" in listing.content.decode()
    pk = UsefulnessVote.objects.get().pk
    assert client.get("/admin/learning/usefulnessvote/add/").status_code == 403
    change = client.post(f"/admin/learning/usefulnessvote/{pk}/change/", {"useful": "on", "comment": "edited"})
    assert change.status_code == 403
    assert UsefulnessVote.objects.get().comment == "Needs a version for schools"
    # The voter's digest means nothing to staff and is not shown.
    assert (
        UsefulnessVote.objects.get().voter
        not in client.get(f"/admin/learning/usefulnessvote/{pk}/change/").content.decode()
    )
