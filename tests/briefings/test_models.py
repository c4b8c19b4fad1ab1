import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from briefings.demo import feature_theme_of_the_month
from briefings.models import Briefing, FeaturedTheme, Resource
from tests.factories import BriefingFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_published_queryset_excludes_drafts_and_future_dates():
    live = BriefingFactory()
    BriefingFactory(draft=True)
    BriefingFactory(published=timezone.localdate() + datetime.timedelta(days=1))
    assert list(Briefing.objects.published()) == [live]


def test_overdue_queryset_and_property():
    today = timezone.localdate()
    overdue = BriefingFactory(review_due=today - datetime.timedelta(days=1))
    due_today = BriefingFactory(review_due=today)
    BriefingFactory()
    assert list(Briefing.objects.overdue()) == [overdue]
    assert overdue.is_overdue and not due_today.is_overdue


def test_published_briefing_must_have_a_date():
    with pytest.raises(IntegrityError):
        Briefing.objects.create(title="T", slug="t", summary="S", status=Briefing.Status.PUBLISHED, published=None)


def test_parts_are_ordered_by_position():
    briefing = BriefingFactory(sections=0)
    briefing.sections.create(position=2, heading="Second")
    briefing.sections.create(position=1, heading="First")
    assert [s.heading for s in briefing.sections.all()] == ["First", "Second"]
    assert str(briefing.sections.first()) == "First"


def test_resource_needs_a_link_or_a_file():
    with pytest.raises(IntegrityError):
        Resource.objects.create(title="Nothing")


def test_current_theme_of_the_month():
    theme = ThemeFactory()
    today = timezone.localdate()
    current = FeaturedTheme.objects.create(theme=theme, starts=today, ends=today)
    FeaturedTheme.objects.create(
        theme=theme, starts=today - datetime.timedelta(days=60), ends=today - datetime.timedelta(days=30)
    )
    assert list(FeaturedTheme.objects.current()) == [current]


def test_demo_theme_of_the_month_covers_today_and_is_not_duplicated():
    ThemeFactory(name="Child neglect", slug="child-neglect")
    feature_theme_of_the_month(today=datetime.date(2026, 12, 31))
    feature_theme_of_the_month(today=datetime.date(2026, 12, 31))
    feature = FeaturedTheme.objects.get()
    assert feature.starts == datetime.date(2026, 12, 1)
    assert feature.ends == datetime.date(2027, 11, 30)
    assert feature_theme_of_the_month(slug="missing") is None
