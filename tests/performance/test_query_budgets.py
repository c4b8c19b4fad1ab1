"""SQL queries per page have a fixed ceiling that does not grow with the content."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefings.models import Briefing, DiscussionQuestion, FeaturedTheme, KeyFact, Resource, Section, Theme
from pages.navigation import links
from portal.models import SiteSettings
from portal.site import search
from training.models import Course, LearningOutcome, Session

# The ceiling for each page type. A change that needs more must say why here.
CEILINGS = {
    "home": 6,  # the theme of the month shows its own training too
    "briefing list": 11,  # 6, and one grouped query per filter for its counts (5 filters)
    # 8, and 2 when the first page in a worker finds the stored related briefings out of date and asks
    # the worker to store them again (briefings/related.py).
    "briefing detail": 10,
    "theme": 6,
    "course list": 4,
    "course detail": 8,
    "search": 4,
}
# PostgreSQL search also sets planner options for its own transaction (SAVEPOINT, set_config, RELEASE).
POSTGRES_CEILINGS = {**CEILINGS, "search": 7}


def build(n):
    """n briefings, each part n times on the first briefing, n courses with n sessions and outcomes."""
    today = timezone.localdate()
    now = timezone.now()
    theme = Theme.objects.create(name="Child neglect", slug="child-neglect")
    FeaturedTheme.objects.create(theme=theme, starts=today - dt.timedelta(days=1), ends=today + dt.timedelta(days=30))
    briefings = Briefing.objects.bulk_create(
        Briefing(title=f"Neglect briefing {i}", slug=f"neglect-{i}", summary="Neglect summary.",
                 status="published", published=today - dt.timedelta(days=i + 1))
        for i in range(n)
    )  # fmt: skip
    first = briefings[0]
    Briefing.themes.through.objects.bulk_create(Briefing.themes.through(briefing=b, theme=theme) for b in briefings)
    Section.objects.bulk_create(
        Section(briefing=first, position=i, heading=f"Heading {i}", body="Neglect *body*.") for i in range(n)
    )
    DiscussionQuestion.objects.bulk_create(
        DiscussionQuestion(briefing=first, position=i, text="Why?") for i in range(n)
    )
    KeyFact.objects.bulk_create(KeyFact(briefing=first, position=i, figure="60%", text="of reviews") for i in range(n))
    resources = Resource.objects.bulk_create(
        Resource(briefing=first, position=i, title=f"Neglect toolkit {i}", url="https://example.org/t")
        for i in range(n)
    )
    Resource.themes.through.objects.bulk_create(Resource.themes.through(resource=r, theme=theme) for r in resources)
    courses = Course.objects.bulk_create(
        Course(title=f"Neglect course {i}", slug=f"course-{i}", summary="Neglect training.", is_published=True,
               booking_url="https://learning.example.org/book")
        for i in range(n)
    )  # fmt: skip
    Course.themes.through.objects.bulk_create(Course.themes.through(course=c, theme=theme) for c in courses)
    Briefing.courses.through.objects.bulk_create(Briefing.courses.through(briefing=first, course=c) for c in courses)
    for course in courses[:2]:
        LearningOutcome.objects.bulk_create(LearningOutcome(course=course, position=i, text="Know") for i in range(n))
        Session.objects.bulk_create(
            Session(course=course, starts=now + dt.timedelta(days=i + 1), ends=now + dt.timedelta(days=i + 1, hours=3),
                    location="Town hall")
            for i in range(n)
        )  # fmt: skip
    SiteSettings.load()
    search.rebuild_index()
    links()  # the partnership pages' header and footer links: read once per worker after each content change
    return {
        "home": "/",
        "briefing list": "/briefings/",
        "briefing detail": first.get_absolute_url(),
        "theme": theme.get_absolute_url(),
        "course list": "/training/",
        "course detail": courses[0].get_absolute_url(),
        "search": "/search/?q=neglect",
    }


def count_queries(client, urls):
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        # PostgreSQL prepares a page's own queries once per connection (portal/prepared.py): not per page.
        counts[name] = len([q for q in captured.captured_queries if not q["sql"].startswith("PREPARE ")])
    return counts


@pytest.mark.django_db
def test_queries_per_page_stay_under_their_ceiling_with_1_and_50_items(client):
    one = count_queries(client, build(1))
    Briefing.objects.all().delete()
    Course.objects.all().delete()
    Theme.objects.all().delete()
    fifty = count_queries(client, build(50))
    ceilings = POSTGRES_CEILINGS if connection.vendor == "postgresql" else CEILINGS
    for name, ceiling in ceilings.items():
        assert one[name] <= ceiling, (name, one[name])
        assert fifty[name] <= ceiling, (name, fifty[name])
        assert fifty[name] <= one[name], f"{name}: {one[name]} queries with 1 item, {fifty[name]} with 50"
