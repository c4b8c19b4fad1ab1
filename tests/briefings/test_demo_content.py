"""The demo content in fixtures/ loads and every briefing page it makes works."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from briefings.models import Briefing, FeaturedTheme, ProfessionalGroup, Theme

pytestmark = pytest.mark.django_db

WORDS = re.compile(r"[A-Za-z0-9’'%£–-]+")


def test_demo_has_the_three_kinds_a_draft_and_a_current_theme_of_the_month(demo_content):
    published = Briefing.objects.published()
    assert {b.kind for b in published} == set(Briefing.Kind.values)
    assert Briefing.objects.filter(status=Briefing.Status.DRAFT).exists()
    feature = FeaturedTheme.objects.current().get()
    assert feature.theme.slug == "child-neglect"
    for name in ["Child neglect", "Adolescent neglect", "Disguised compliance", "ICON / abusive head trauma",
                 "Professional curiosity", "Information sharing"]:  # fmt: skip
        assert Theme.objects.filter(name=name).exists()


def test_demo_briefings_link_to_published_courses(demo_content):
    for briefing in Briefing.objects.published():
        assert briefing.courses.exists(), briefing.slug


def test_demo_pages_all_load(client, demo_content):
    urls = [reverse("home"), reverse("briefings:list"), reverse("briefings:themes")]
    urls += [b.get_absolute_url() for b in Briefing.objects.published()]
    urls += [t.get_absolute_url() for t in Theme.objects.all()]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_demo_seven_minute_briefing_is_short_enough_for_one_page(demo_content):
    briefing = Briefing.objects.get(slug="neglect-learning-from-serious-case-reviews")
    text = [briefing.title, briefing.summary]
    text += [s.heading + " " + s.body for s in briefing.sections.all()]
    text += [q.text for q in briefing.questions.all()]
    text += [f.figure + " " + f.text for f in briefing.key_facts.all()]
    words = len(WORDS.findall(" ".join(text)))
    assert 400 <= words <= 650, words
    assert [s.position for s in briefing.sections.all()] == [1, 2, 3, 4, 5, 6, 7]
    assert briefing.key_facts.filter(figure="60%").exists()


def test_loading_the_demo_twice_changes_nothing(demo_content):
    from django.core.management import call_command

    counts = (Briefing.objects.count(), Theme.objects.count(), FeaturedTheme.objects.count(), Briefing.history.count())
    call_command("load_demo", verbosity=0)
    assert (
        Briefing.objects.count(),
        Theme.objects.count(),
        FeaturedTheme.objects.count(),
        Briefing.history.count(),
    ) == counts


def test_demo_briefings_are_tagged_with_professional_groups_so_the_filter_narrows_the_list(client, demo_content):
    for briefing in Briefing.objects.all():
        assert briefing.professional_groups.exists(), briefing.slug
    published = Briefing.objects.published().count()
    shown = {}
    for slug in ProfessionalGroup.objects.values_list("slug", flat=True):
        response = client.get(reverse("briefings:list"), {"group": slug})
        shown[slug] = response.context["page"].paginator.count
    # Each group a reader might pick finds something, and the groups do not all find the same briefings.
    assert all(shown[slug] for slug in ["health", "education", "police", "social-care", "early-help"]), shown
    assert min(shown.values()) < published and len(set(shown.values())) > 1, shown


def test_the_demo_loads_where_the_professional_groups_are_missing(db):
    """A database emptied by a test (or by staff) loses the migration's groups; the demo brings back what it names."""
    ProfessionalGroup.objects.all().delete()
    call_command("load_demo", verbosity=0)
    assert Briefing.objects.count() == 5
    for briefing in Briefing.objects.all():
        assert briefing.professional_groups.exists(), briefing.slug
    call_command("load_demo", verbosity=0)  # again: nothing made twice
    assert ProfessionalGroup.objects.values("name").distinct().count() == ProfessionalGroup.objects.count()
