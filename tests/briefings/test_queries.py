"""The number of queries a page makes does not grow with the number of briefings or their parts."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefings.models import FeaturedTheme
from tests.factories import BriefingFactory, CourseFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def count_queries(django_assert_max_num_queries, url, client, limit=25):
    """Queries for one request of a page (after a warm-up request); at most `limit`."""
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def populate(n, theme):
    """n briefings on the theme, each with a course and a resource; the last has n of every part."""
    briefings = [
        BriefingFactory(sections=1, questions=1, key_facts=1, resources=1, themes=[theme]) for _ in range(n - 1)
    ]
    briefings.append(BriefingFactory(sections=n, questions=n, key_facts=n, resources=n, themes=[theme]))
    for briefing in briefings:
        course = CourseFactory()
        course.themes.add(theme)
        briefing.courses.add(course)
        theme.resources.create(title="Stand-alone", url="https://example.org/x", status="published")
    return briefings


@pytest.mark.parametrize("name", ["list", "detail", "theme", "home", "themes"])
def test_page_queries_do_not_grow_with_content(django_assert_max_num_queries, name):
    counts = []
    for n in (1, 50):
        theme = ThemeFactory()
        FeaturedTheme.objects.all().delete()
        FeaturedTheme.objects.create(theme=theme, starts=timezone.localdate(), ends=timezone.localdate())
        briefings = populate(n, theme)
        url = {
            "list": reverse("briefings:list") + f"?theme={theme.slug}",
            "detail": briefings[-1].get_absolute_url(),
            "theme": theme.get_absolute_url(),
            "home": reverse("home"),
            "themes": reverse("briefings:themes"),
        }[name]
        counts.append(count_queries(django_assert_max_num_queries, url, Client()))
    assert counts[0] == counts[1], counts


def test_staff_detail_queries_do_not_grow_with_sections(django_assert_max_num_queries, staff_user):
    client = Client()
    client.force_login(staff_user)
    small = BriefingFactory(sections=1, questions=1, draft=True)
    large = BriefingFactory(sections=50, questions=50, key_facts=50, resources=50, draft=True)
    assert count_queries(django_assert_max_num_queries, small.get_absolute_url(), client) == count_queries(
        django_assert_max_num_queries, large.get_absolute_url(), client
    )
