"""Small factories for the search, feed and sitemap tests.

Signals schedule indexing for when the transaction commits, and a test's transaction never
commits, so the factories run what the signals scheduled (`search.flush()`) before returning.
"""

import datetime
import re

from django.utils.text import slugify

from briefings.models import Briefing, DiscussionQuestion, KeyFact, Resource, Section, Theme
from portal.site import search
from training.models import Course, LearningOutcome

PUBLISHED = datetime.date(2024, 3, 1)


def make_theme(name, summary=""):
    theme, _ = Theme.objects.get_or_create(slug=slugify(name), defaults={"name": name, "summary": summary})
    search.flush()
    return theme


def make_briefing(
    title,
    summary="A short summary.",
    *,
    status=Briefing.Status.PUBLISHED,
    published=PUBLISHED,
    kind=Briefing.Kind.SEVEN_MINUTE_BRIEFING,
    sections=(),
    questions=(),
    facts=(),
    resources=(),
    themes=(),
):
    """sections: (heading, body) pairs; facts: (figure, text) pairs; resources: titles or dicts."""
    briefing = Briefing.objects.create(
        title=title,
        slug=unique_slug(Briefing, title),
        summary=summary,
        status=status,
        published=published,
        kind=kind,
    )
    for position, (heading, body) in enumerate(sections, start=1):
        Section.objects.create(briefing=briefing, position=position, number=position, heading=heading, body=body)
    for position, text in enumerate(questions, start=1):
        DiscussionQuestion.objects.create(briefing=briefing, position=position, text=text)
    for position, (figure, text) in enumerate(facts, start=1):
        KeyFact.objects.create(briefing=briefing, position=position, figure=figure, text=text)
    for position, resource in enumerate(resources, start=1):
        fields = resource if isinstance(resource, dict) else {"title": resource}
        fields = {"url": "https://example.org/resource", "position": position, **fields}
        Resource.objects.create(briefing=briefing, **fields)
    if themes:
        briefing.themes.set(themes)
    search.flush()
    return briefing


def make_resource(
    title, description="", *, briefing=None, themes=(), url="https://example.org/file", status="published"
):
    """A resource; on its own it is published unless `status` says otherwise."""
    resource = Resource.objects.create(briefing=briefing, title=title, description=description, url=url, status=status)
    if themes:
        resource.themes.set(themes)
    search.flush()
    return resource


def make_course(title, summary="A course.", *, published=True, description="", outcomes=(), themes=()):
    course = Course.objects.create(
        title=title, slug=unique_slug(Course, title), summary=summary, description=description, is_published=published
    )
    for position, text in enumerate(outcomes, start=1):
        LearningOutcome.objects.create(course=course, position=position, text=text)
    if themes:
        course.themes.set(themes)
    search.flush()
    return course


def unique_slug(model, title):
    base = slugify(title)[:180] or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def result_titles(response):
    """Titles of the results on a search page, in order."""
    assert response.status_code == 200
    return [doc.title for doc in (result.document for result in response.context["results"])]


TAG = re.compile(r"<[^>]+>")


def text_of(response):
    return TAG.sub("", response.content.decode())
