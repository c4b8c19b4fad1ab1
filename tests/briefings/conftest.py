import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from briefings.models import Briefing, DiscussionQuestion, KeyFact, Resource, Section, Theme
from training.models import Course

_counter = itertools.count(1)


def make_theme(name=None, **fields):
    n = next(_counter)
    name = name or f"Theme {n}"
    return Theme.objects.create(name=name, slug=fields.pop("slug", f"theme-{n}"), **fields)


def make_course(slug=None, **fields):
    n = next(_counter)
    fields.setdefault("is_published", True)
    return Course.objects.create(
        title=fields.pop("title", f"Course {n}"), slug=slug or f"course-{n}", summary="A course.", **fields
    )


def make_briefing(title=None, *, sections=0, questions=0, key_facts=0, resources=0, themes=(), **fields):
    n = next(_counter)
    fields.setdefault("status", Briefing.Status.PUBLISHED)
    if fields["status"] == Briefing.Status.PUBLISHED:
        fields.setdefault("published", timezone.localdate() - datetime.timedelta(days=n))
    briefing = Briefing.objects.create(
        title=title or f"Briefing {n}", slug=fields.pop("slug", f"briefing-{n}"), summary="A summary.", **fields
    )
    briefing.themes.set(themes)
    for i in range(1, sections + 1):
        Section.objects.create(briefing=briefing, position=i, number=i, heading=f"Heading {i}", body=f"Body **{i}**")
    for i in range(1, questions + 1):
        DiscussionQuestion.objects.create(briefing=briefing, position=i, text=f"Question {i}?")
    for i in range(1, key_facts + 1):
        KeyFact.objects.create(briefing=briefing, position=i, figure=f"{i}0%", text=f"fact {i}", source="A study")
    for i in range(1, resources + 1):
        Resource.objects.create(briefing=briefing, position=i, title=f"Resource {i}", url=f"https://example.org/r{i}")
    return briefing


@pytest.fixture
def editor_client(client, db):
    """A staff member in the Editor group: may edit, may not publish."""
    user = get_user_model().objects.create_user("editor", "editor@example.org", "a-long-test-password", is_staff=True)
    user.groups.set(Group.objects.filter(name="Editor"))
    client.force_login(user)
    return client
