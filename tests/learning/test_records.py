"""The online record of a team's discussion: the form, its checks against spam and floods, and the page cache."""

import datetime
import importlib
import time

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.utils import timezone

from learning import records
from learning.models import Agency, TeamRecord
from portal.models import SiteSettings
from tests.factories import AgencyFactory, BriefingFactory

# Transactional tests empty the tables, the migration's agencies too: the seeding is checked by running it.
SEEDING = importlib.import_module("learning.migrations.0003_agencies_and_report_permission")

pytestmark = pytest.mark.django_db


def valid_post(**changes):
    data = {
        "met_on": "27/11/2026",
        "team": "North locality “duty” team",
        "agency": str(AgencyFactory(name="Health").pk),
        "attendees": "9",
        "changes": "We will ask about the child's day, every visit.",
        "email": "",
        "website": "",
        "started": records.started_token(time.time() - 60),
    }
    data.update(changes)
    return data


@pytest.fixture
def briefing():
    return BriefingFactory(title="Neglect and the lived experience of the child", slug="lived-experience", questions=2)


def test_migration_seeds_the_partnerships_agencies():
    Agency.objects.all().delete()
    SEEDING.seed_agencies(django_apps, None)
    SEEDING.seed_agencies(django_apps, None)  # again: no duplicates
    assert list(Agency.objects.values_list("name", flat=True)) == [
        "Children's social care", "Health", "Police", "Education", "Early help", "Adult services",
        "Voluntary sector", "Other",
    ]  # fmt: skip


def test_form_page_lists_active_agencies_warns_about_names_and_links_the_privacy_notice(client, briefing):
    AgencyFactory(name="Health")
    AgencyFactory(name="Police")
    Agency.objects.filter(name="Police").update(active=False)
    response = client.get("/briefings/lived-experience/record/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Do not name any child, family or colleague" in page
    assert 'href="/privacy/"' in page
    assert ">Health</option>" in page and ">Police</option>" not in page
    assert "Neglect and the lived experience of the child" in page
    assert "private" in response["Cache-Control"]


def test_draft_briefing_has_no_record_form(client):
    BriefingFactory(slug="draft-one", draft=True)
    assert client.get("/briefings/draft-one/record/").status_code == 404
    assert client.post("/briefings/draft-one/record/", valid_post()).status_code == 404
    assert not TeamRecord.objects.exists()


def test_briefing_page_links_to_the_record_form(client, briefing):
    page = client.get("/briefings/lived-experience/").content.decode()
    assert 'href="/briefings/lived-experience/record/"' in page


def test_a_record_is_saved_with_what_the_team_typed(client, briefing):
    response = client.post(
        "/briefings/lived-experience/record/", valid_post(met_on="3 Nov 2026", email="lead@example.org")
    )
    assert response.status_code == 302
    assert response["Location"] == "/briefings/lived-experience/record/thanks/"
    record = TeamRecord.objects.get()
    assert record.briefing == briefing and record.briefing_title == briefing.title
    assert record.met_on == datetime.date(2026, 11, 3)
    assert record.team == "North locality “duty” team"
    assert record.agency.name == "Health" and record.attendees == 9
    assert record.email == "lead@example.org"
    assert record.site_address == "http://testserver/"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "private" in thanks["Cache-Control"]


def test_bad_input_says_what_is_wrong_keeps_what_was_typed_and_saves_nothing(client, briefing):
    response = client.post(
        "/briefings/lived-experience/record/",
        valid_post(met_on="31/02/2026", attendees="lots", email="not an address", agency="999999"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the date as day, month and year" in page
    assert "Enter the number of people attending as a whole number" in page
    assert "Enter an email address like name@example.org" in page
    assert "Choose an agency from the list." in page
    assert 'value="31/02/2026"' in page and 'value="lots"' in page
    assert "North locality “duty” team" in page and "ask about the child&#x27;s day" in page
    assert not TeamRecord.objects.exists()


def test_a_future_meeting_date_is_refused(client, briefing):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post("/briefings/lived-experience/record/", valid_post(met_on=f"{tomorrow:%d/%m/%Y}"))
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.content.decode()
    assert not TeamRecord.objects.exists()


def test_filled_spam_trap_is_refused_with_a_message_and_the_text_kept(client, briefing):
    response = client.post("/briefings/lived-experience/record/", valid_post(website="https://spam.example"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Your record was not saved" in page and "meant to stay empty" in page
    assert "North locality “duty” team" in page
    assert "spam.example" not in page
    assert not TeamRecord.objects.exists()


def test_form_sent_too_quickly_is_refused_then_accepted_when_sent_again_later(client, briefing):
    response = client.post("/briefings/lived-experience/record/", valid_post(started=records.started_token()))
    page = response.content.decode()
    assert response.status_code == 400
    assert "sent too quickly" in page and "North locality “duty” team" in page
    assert not TeamRecord.objects.exists()
    fresh = response.context["form"].data["started"]
    assert records.fill_time_problem(fresh, now=time.time() + records.MIN_FILL_SECONDS) is None


@pytest.mark.parametrize("started", ["", "forged", "stale"])
def test_missing_forged_or_stale_time_stamp_is_refused(client, briefing, started):
    if started == "stale":  # made here, not at collection: each test process must collect the same ids
        started = records.started_token(time.time() - 3 * 24 * 3600)
    response = client.post("/briefings/lived-experience/record/", valid_post(started=started))
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not TeamRecord.objects.exists()


def test_floods_from_one_address_are_refused_and_other_addresses_are_not(client, briefing):
    limit = records.RATE_LIMITS[0][0]
    for _ in range(limit):
        assert client.post("/briefings/lived-experience/record/", valid_post()).status_code == 302
    refused = client.post("/briefings/lived-experience/record/", valid_post(team="One too many"))
    assert refused.status_code == 429
    assert "Too many records have been sent from your network" in refused.content.decode()
    assert "One too many" in refused.content.decode()
    assert TeamRecord.objects.count() == limit
    other = client.post("/briefings/lived-experience/record/", valid_post(), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302
    assert TeamRecord.objects.count() == limit + 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("27/11/2026", datetime.date(2026, 11, 27)),
        ("27.11.26", datetime.date(2026, 11, 27)),
        ("7-1-2026", datetime.date(2026, 1, 7)),
        (" 27 / 11 / 2026 ", datetime.date(2026, 11, 27)),
        ("2026-11-27", datetime.date(2026, 11, 27)),
        ("27 November 2026", datetime.date(2026, 11, 27)),
        ("Friday 27th Nov, 2026", datetime.date(2026, 11, 27)),
        ("1st of Sept 2026", datetime.date(2026, 9, 1)),
        ("November 27 2026", datetime.date(2026, 11, 27)),
        ("3 March", datetime.date(2026, 3, 3)),
        ("31 December", datetime.date(2025, 12, 31)),
        ("today", datetime.date(2026, 11, 30)),
        ("yesterday", datetime.date(2026, 11, 29)),
        ("31/02/2026", None),
        ("27/13/2026", None),
        ("next week", None),
        ("", None),
    ],
)
def test_uk_dates_are_read_as_people_write_them(text, expected):
    assert records.parse_uk_date(text, datetime.date(2026, 11, 30)) == expected


def test_record_form_is_never_stored_by_the_page_cache_and_the_briefing_page_still_is(client, settings, briefing):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()
    cache.clear()
    first = client.get("/briefings/lived-experience/record/")
    second = client.get("/briefings/lived-experience/record/")
    assert first.context is not None and second.context is not None  # both rendered, neither from the cache
    assert "private" in second["Cache-Control"]
    client.cookies.clear()
    client.get("/briefings/lived-experience/")
    assert client.get("/briefings/lived-experience/").context is None  # the briefing page itself is cached
