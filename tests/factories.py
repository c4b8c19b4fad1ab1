"""Every test builds its content here (factory_boy), so all tests share one set of defaults.

BriefingFactory makes a published 7-minute briefing, dated three days ago, with seven short numbered
sections and no questions, key facts, resources or themes unless told otherwise: `draft=True` (which
keeps the date unless `published=None`), `sections=0`, `sections=3` or `sections=[("Heading", "text")]`,
`questions=2` or a list of texts, likewise `key_facts` and `resources`. CourseFactory makes a course
published today (`draft=True` gives an undated draft; `is_published=False` a draft that keeps the date),
SessionFactory an open session ten days ahead, ResourceFactory a published stand-alone resource,
UserFactory a staff member (`editor=True`, `publisher=True`, `superuser=True`). Slugs come from the
title, made unique. What a factory creates is in the search index when it returns, as if its
transaction had committed."""

import datetime
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory, Password

from alerts.models import Subscriber
from briefings.models import Briefing, DiscussionQuestion, KeyFact, ProfessionalGroup, Resource, Section, Theme
from learning.models import Agency, FollowUp, TeamRecord, UsefulnessVote
from pages.models import Page
from portal.site import search
from tests import print_content
from training.models import Course, LearningOutcome, Session

PASSWORD = "a-long-test-password"
UK = ZoneInfo("Europe/London")


def uk(year, month, day, hour, minute=0):
    """A time on a UK clock, for sessions with fixed dates."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UK)


def unique_slug(model, title):
    """The title's slug, with -2, -3 ... added when another row has it."""
    base = slugify(title)[:180] or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def index_now():
    """Run the indexing that signals scheduled for the commit a test's transaction never reaches."""
    search.flush()


def _parts(spec, make_default):
    """A count gives that many default parts; a list gives its own items."""
    return [make_default(i) for i in range(1, spec + 1)] if isinstance(spec, int) else list(spec)


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    summary = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        theme = super()._create(model_class, *args, **kwargs)
        index_now()
        return theme


class BriefingFactory(DjangoModelFactory):
    """A published 7-minute briefing with seven sections (numbered panels by their order); parts are counts or lists."""

    class Meta:
        model = Briefing

    class Params:
        draft = factory.Trait(status=Briefing.Status.DRAFT)

    title = factory.Sequence(lambda n: f"Briefing {n}")
    slug = factory.LazyAttribute(lambda o: unique_slug(Briefing, o.title))
    summary = "A short summary."
    kind = Briefing.Kind.SEVEN_MINUTE_BRIEFING
    status = Briefing.Status.PUBLISHED
    published = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))

    # Taken out before the briefing is saved, then built as its parts (see _create).
    sections = 7
    questions = 0
    key_facts = 0
    resources = 0
    themes = ()
    courses = ()

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        sections,
        questions,
        key_facts,
        resources,
        themes,
        courses,
        **kwargs,
    ):
        briefing = super()._create(model_class, *args, **kwargs)
        for position, part in enumerate(_parts(sections, lambda i: (f"Part {i}", f"Body of part {i}.")), start=1):
            fields = part if isinstance(part, dict) else {"heading": part[0], "body": part[1]}
            fields = {"position": position, **fields}
            SectionFactory(briefing=briefing, **fields)
        for position, text in enumerate(_parts(questions, lambda i: f"Question {i}?"), start=1):
            QuestionFactory(briefing=briefing, position=position, text=text)
        for position, fact in enumerate(_parts(key_facts, lambda i: (f"{i}0%", f"fact {i}")), start=1):
            fields = fact if isinstance(fact, dict) else dict(zip(("figure", "text", "source"), fact, strict=False))
            KeyFactFactory(briefing=briefing, position=position, **fields)
        for position, resource in enumerate(_parts(resources, lambda i: f"Resource {i}"), start=1):
            fields = resource if isinstance(resource, dict) else {"title": resource}
            ResourceFactory(briefing=briefing, **{"position": position, **fields})
        if themes:
            briefing.themes.set(themes)
        if courses:
            briefing.courses.set(courses)
        index_now()
        return briefing


class PrintBriefingFactory(BriefingFactory):
    """The realistic briefing the print tests share: seven full panels, four questions, a key fact and a toolkit."""

    title = "Neglect: what reviews keep telling us"
    summary = "Why neglect is so often missed, and what every practitioner can do about it."
    publisher = "Example Safeguarding Children Partnership"
    published = datetime.date(2024, 5, 1)
    last_reviewed = datetime.date(2025, 3, 3)
    review_due = datetime.date(2026, 5, 1)
    sections = print_content.SEVEN_MINUTE_SECTIONS
    questions = print_content.SEVEN_MINUTE_QUESTIONS
    key_facts = [
        ("60%", "of serious case reviews feature neglect", "Analysis of serious case reviews, 2014 to 2017"),
    ]
    resources = [
        {"title": "Neglect toolkit", "kind": Resource.Kind.TOOLKIT, "url": "https://example.org/neglect-toolkit"}
    ]


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    briefing = factory.SubFactory(BriefingFactory, sections=0)
    position = factory.Sequence(lambda n: n)
    heading = factory.Sequence(lambda n: f"Part {n}")
    body = "Body of the part."


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = DiscussionQuestion

    briefing = factory.SubFactory(BriefingFactory, sections=0)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Question {n}?")


class KeyFactFactory(DjangoModelFactory):
    class Meta:
        model = KeyFact

    briefing = factory.SubFactory(BriefingFactory, sections=0)
    position = factory.Sequence(lambda n: n)
    figure = "60%"
    text = "of serious case reviews feature neglect"
    source = ""


class ResourceFactory(DjangoModelFactory):
    """A published stand-alone link; give `briefing=` for one that belongs to a briefing, `file=` for an upload."""

    class Meta:
        model = Resource

    class Params:
        draft = factory.Trait(status=Resource.Status.DRAFT)

    briefing = None
    title = factory.Sequence(lambda n: f"Resource {n}")
    file = ""
    url = factory.LazyAttribute(lambda o: "" if o.file else "https://example.org/resource")
    status = Resource.Status.PUBLISHED
    position = 0
    themes = ()

    @classmethod
    def _create(cls, model_class, *args, themes, **kwargs):
        resource = super()._create(model_class, *args, **kwargs)
        if themes:
            resource.themes.set(themes)
        index_now()
        return resource


class CourseFactory(DjangoModelFactory):
    """A course published today with a booking link, no learning outcomes and no themes unless told."""

    class Meta:
        model = Course

    class Params:
        draft = factory.Trait(status=Course.Status.DRAFT, published=None)

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.LazyAttribute(lambda o: unique_slug(Course, o.title))
    summary = "A course."
    status = Course.Status.PUBLISHED
    published = factory.LazyFunction(timezone.localdate)
    booking_url = factory.LazyAttribute(lambda o: f"https://learning.example.org/{o.slug}")
    outcomes = 0
    themes = ()

    @classmethod
    def _create(cls, model_class, *args, outcomes, themes, **kwargs):
        course = super()._create(model_class, *args, **kwargs)
        for position, text in enumerate(_parts(outcomes, lambda i: f"Outcome {i}"), start=1):
            LearningOutcome.objects.create(course=course, position=position, text=text)
        if themes:
            course.themes.set(themes)
        index_now()
        return course


class SessionFactory(DjangoModelFactory):
    """An open session `days` from now (negative for the past), `hours` long."""

    class Meta:
        model = Session

    class Params:
        days = 10
        hours = 3

    course = factory.SubFactory(CourseFactory)
    starts = factory.LazyAttribute(lambda o: timezone.now().replace(microsecond=0) + datetime.timedelta(days=o.days))
    ends = factory.LazyAttribute(lambda o: o.starts + datetime.timedelta(hours=o.hours))
    location = "Partnership Learning Centre"


class UserFactory(DjangoModelFactory):
    """A staff member with no group; `editor`, `publisher` or `superuser` give the role."""

    class Meta:
        model = get_user_model()

    class Params:
        editor = factory.Trait(groups=["Editor"])
        publisher = factory.Trait(groups=["Publisher"])
        superuser = factory.Trait(is_superuser=True)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = Password(PASSWORD)
    is_staff = True

    groups = ()

    @classmethod
    def _create(cls, model_class, *args, groups, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


class SubscriberFactory(DjangoModelFactory):
    """A confirmed email-alert subscriber to every theme, as it happens; `themes=[...]` to follow some only."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    everything = True
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.everything = False
            Subscriber.objects.filter(pk=self.pk).update(everything=False)
            self.themes.set(extracted)


# --- Learning into practice: agencies, team records, follow-ups, "Was this useful?" votes ---


class AgencyFactory(DjangoModelFactory):
    """An agency; the migration seeds the partnership's list, so a name from it returns that row."""

    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")


class TeamRecordFactory(DjangoModelFactory):
    """A team's record of discussing a (published 7-minute) briefing a week ago, with no email address."""

    class Meta:
        model = TeamRecord

    briefing = factory.SubFactory(BriefingFactory)
    briefing_title = factory.LazyAttribute(lambda o: o.briefing.title if o.briefing else "A deleted briefing")
    met_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    team = factory.Sequence(lambda n: f"Locality team {n}")
    agency = factory.SubFactory(AgencyFactory, name="Health")
    attendees = 8
    changes = "We will check the chronology before every strategy discussion."
    email = ""
    site_address = "http://testserver/"


class FollowUpFactory(DjangoModelFactory):
    """An answered follow-up of a record."""

    class Meta:
        model = FollowUp
        skip_postgeneration_save = True

    record = factory.SubFactory(TeamRecordFactory)
    status = FollowUp.Status.ANSWERED
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.sent_at + datetime.timedelta(days=30))
    answer = "Supervision now asks about the child's lived experience every time."
    answered_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def mark_record(obj, create, extracted, **kwargs):
        """The record says its follow-up was answered, as the follow-up form does."""
        if create and obj.status == FollowUp.Status.ANSWERED:
            TeamRecord.objects.filter(pk=obj.record_id).update(follow_up_answered=True)
            obj.record.follow_up_answered = True


class UsefulnessVoteFactory(DjangoModelFactory):
    """A "yes, useful" answer about a briefing from one browser."""

    class Meta:
        model = UsefulnessVote

    briefing = factory.SubFactory(BriefingFactory)
    course = None
    useful = True
    voter = factory.Sequence(lambda n: f"{n:064x}")


class ProfessionalGroupFactory(DjangoModelFactory):
    """A professional group a briefing is for; the seeded ones (health, police, ...) are reused by slug."""

    class Meta:
        model = ProfessionalGroup
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class PageFactory(DjangoModelFactory):
    """A partnership page published today, in no navigation, with a short Markdown body; `draft=True` for a draft."""

    class Meta:
        model = Page

    class Params:
        draft = factory.Trait(status=Page.Status.DRAFT, published=None)

    title = factory.Sequence(lambda n: f"Partnership page {n}")
    slug = factory.LazyAttribute(lambda o: unique_slug(Page, o.title))
    summary = "What the partnership does."
    body = "## Who we are\n\nThe partnership brings local agencies together.\n\n- Police\n- Health\n- Local authority"
    status = Page.Status.PUBLISHED
    published = factory.LazyFunction(timezone.localdate)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        page = super()._create(model_class, *args, **kwargs)
        index_now()
        return page
