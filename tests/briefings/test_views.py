import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing
from tests.factories import BriefingFactory, CourseFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_briefing_list_shows_published_and_hides_drafts_and_future(client):
    BriefingFactory(title="Visible briefing")
    BriefingFactory(title="Draft briefing", draft=True)
    BriefingFactory(title="Future briefing", published=timezone.localdate() + datetime.timedelta(days=3))
    body = client.get(reverse("briefings:list")).content.decode()
    assert "Visible briefing" in body
    assert "Draft briefing" not in body
    assert "Future briefing" not in body
    assert "1 briefing" in body


def test_briefing_list_filters_by_kind_theme_and_year(client):
    theme = ThemeFactory(name="Disguised compliance", slug="disguised-compliance")
    BriefingFactory(title="Audit one", kind=Briefing.Kind.AUDIT_FINDINGS, published=datetime.date(2024, 3, 1))
    BriefingFactory(
        title="Review one", kind=Briefing.Kind.THEMATIC_REVIEW, themes=[theme], published=datetime.date(2025, 3, 1)
    )
    url = reverse("briefings:list")
    assert "Audit one" in client.get(url, {"kind": "audit_findings"}).content.decode()
    assert "Review one" not in client.get(url, {"kind": "audit_findings"}).content.decode()
    by_theme = client.get(url, {"theme": "disguised-compliance"}).content.decode()
    assert "Review one" in by_theme and "Audit one" not in by_theme
    by_year = client.get(url, {"year": "2024"}).content.decode()
    assert "Audit one" in by_year and "Review one" not in by_year
    assert "1 briefing matches your filters" in by_year


@pytest.mark.parametrize(
    "query",
    [
        "kind=nonsense",
        "theme=no-such-theme",
        "year=abc",
        "year=99999999999999999999",
        "year=-1",
        "page=abc",
        "page=0",
        "page=-5",
        "page=999999",
        "page=1e10",
        "kind[]=x&theme=%00",
        "year=2024&year=2025",
        "theme=%F0%9F%92%A9&kind=%3Cscript%3E",
        "page=" + "9" * 400,
    ],
)
def test_briefing_list_odd_query_strings_never_fail(client, query):
    BriefingFactory(title="Still listed")
    response = client.get(reverse("briefings:list") + "?" + query)
    assert response.status_code == 200
    assert "Still listed" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_briefing_list_paginates_and_keeps_filters_in_page_links(client):
    for _ in range(15):
        BriefingFactory(kind=Briefing.Kind.AUDIT_FINDINGS)
    first = client.get(reverse("briefings:list"), {"kind": "audit_findings"}).content.decode()
    assert "Page 1 of 2" in first
    assert "?kind=audit_findings&amp;page=2" in first
    last = client.get(reverse("briefings:list"), {"kind": "audit_findings", "page": "99"})
    assert last.context["page"].number == 2
    assert len(last.context["page"].object_list) == 3


def test_filter_form_controls_have_labels(client):
    body = client.get(reverse("briefings:list")).content.decode()
    for name in ["kind", "theme", "year"]:
        assert f'<label for="id_{name}">' in body
        assert f'id="id_{name}"' in body


def test_detail_shows_parts_dates_and_linked_published_courses(client):
    theme = ThemeFactory(name="Professional curiosity")
    course = CourseFactory(title="Graded Care Profile 2")
    hidden = CourseFactory(title="Unpublished course", is_published=False)
    briefing = BriefingFactory(
        title="Neglect briefing",
        sections=3,
        questions=2,
        key_facts=1,
        resources=1,
        themes=[theme],
        last_reviewed=datetime.date(2026, 1, 2),
        review_due=datetime.date(2099, 1, 2),
    )
    briefing.courses.set([course, hidden])
    body = client.get(briefing.get_absolute_url()).content.decode()
    assert '<article class="briefing briefing--seven_minute_briefing"' in body
    assert body.count('class="briefing-section"') == 3
    assert 'class="key-facts"' in body and "10%" in body
    assert 'id="discussion-questions"' in body and 'href="#discussion-questions"' in body
    assert 'class="resources"' in body and "https://example.org/resource" in body
    assert "Training linked to this learning" in body and course.get_absolute_url() in body
    assert "Unpublished course" not in body
    assert theme.get_absolute_url() in body
    assert "2 January 2026" in body and "2 January 2099" in body
    assert 'class="briefing-actions"' in body
    assert reverse("briefings:team-pack", args=[briefing.slug]) in body
    assert reverse("briefings:pdf", args=[briefing.slug]) in body
    assert "Overdue for review" not in body


def test_seven_minute_briefing_shows_sections_as_numbered_sequence(client):
    briefing = BriefingFactory(sections=7)
    body = client.get(briefing.get_absolute_url()).content.decode()
    assert '<ol class="seven-minute-grid seven-minute-grid--sheet">' in body
    assert body.index('<span class="section-number">1</span>') < body.index('<span class="section-number">7</span>')


def test_thematic_review_sections_are_not_in_the_grid(client):
    briefing = BriefingFactory(kind=Briefing.Kind.THEMATIC_REVIEW, sections=2)
    body = client.get(briefing.get_absolute_url()).content.decode()
    assert "seven-minute-grid" not in body
    assert "briefing--thematic_review" in body


def test_section_markdown_is_rendered_and_sanitised(client):
    briefing = BriefingFactory()
    briefing.sections.create(position=1, heading="Unsafe", body="**bold** <script>alert(1)</script>")
    body = client.get(briefing.get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in body
    assert "<script>alert(1)" not in body


def test_draft_briefing_is_404_for_anonymous_reader(client):
    briefing = BriefingFactory(draft=True)
    assert client.get(briefing.get_absolute_url()).status_code == 404


def test_future_briefing_is_404_for_anonymous_reader(client):
    briefing = BriefingFactory(published=timezone.localdate() + datetime.timedelta(days=1))
    assert client.get(briefing.get_absolute_url()).status_code == 404


def test_draft_briefing_is_shown_to_staff_with_draft_label(staff_client):
    briefing = BriefingFactory(title="Work in progress", draft=True)
    response = staff_client.get(briefing.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="draft-label"' in body and "Draft" in body
    assert '<meta name="robots" content="noindex">' in body


def test_staff_see_what_to_do_and_the_public_are_told_it_is_due_for_review(staff_client):
    briefing = BriefingFactory(review_due=timezone.localdate() - datetime.timedelta(days=1))
    public = Client().get(briefing.get_absolute_url()).content.decode()
    assert "Overdue for review" not in public
    assert "Next review due" in public and "This briefing is due for review" in public
    assert "Overdue for review" in staff_client.get(briefing.get_absolute_url()).content.decode()


def test_published_briefing_has_no_draft_label(client):
    briefing = BriefingFactory()
    assert "draft-label" not in client.get(briefing.get_absolute_url()).content.decode()


def test_theme_page_gathers_briefings_courses_and_resources(client):
    theme = ThemeFactory(name="Child neglect")
    published = BriefingFactory(title="Published on theme", themes=[theme], resources=1)
    draft = BriefingFactory(title="Draft on theme", themes=[theme], resources=1, draft=True)
    draft.resources.update(title="Draft resource")
    standalone = theme.resources.create(
        title="Neglect strategy", url="https://example.org/strategy", status="published"
    )
    theme.resources.create(title="Unpublished plan", url="https://example.org/plan")
    CourseFactory(title="Child Neglect").themes.add(theme)
    CourseFactory(title="Hidden course", is_published=False).themes.add(theme)
    body = client.get(theme.get_absolute_url()).content.decode()
    assert "Published on theme" in body and "Draft on theme" not in body
    assert "Child Neglect" in body and "Hidden course" not in body
    assert standalone.title in body and "Resource 1" in body and "Draft resource" not in body
    assert "Unpublished plan" not in body
    assert published.get_absolute_url() in body


def test_unknown_theme_is_404(client):
    assert client.get(reverse("briefings:theme", args=["nope"])).status_code == 404


def test_theme_list_counts_published_briefings(client):
    theme = ThemeFactory(name="Information sharing")
    BriefingFactory(themes=[theme])
    BriefingFactory(themes=[theme], draft=True)
    body = client.get(reverse("briefings:themes")).content.decode()
    assert "Information sharing" in body and "1 briefing<" in body


def test_home_shows_theme_of_the_month_with_its_briefings_and_latest(client):
    from briefings.models import FeaturedTheme

    theme = ThemeFactory(name="Adolescent neglect")
    BriefingFactory(title="On the featured theme", themes=[theme])
    BriefingFactory(title="Another briefing")
    today = timezone.localdate()
    FeaturedTheme.objects.create(theme=theme, starts=today, ends=today, message="Why *now*.")
    body = client.get(reverse("home")).content.decode()
    assert "Theme of the month" in body and "Adolescent neglect" in body
    assert "<em>now</em>" in body
    assert body.count("On the featured theme") == 1  # in the feature, not again in the list below it
    assert "Another briefing" in body


def test_home_theme_of_the_month_shows_its_own_training_and_no_card_twice(client):
    from briefings.models import FeaturedTheme

    theme = ThemeFactory(name="Neglect")
    for n in range(4):
        BriefingFactory(title=f"Featured {n}", themes=[theme], sections=0)
    CourseFactory(title="Graded Care Profile 2", themes=[theme])
    CourseFactory(title="Unrelated course")
    CourseFactory(title="Draft course on neglect", themes=[theme], draft=True)
    today = timezone.localdate()
    FeaturedTheme.objects.create(theme=theme, starts=today, ends=today)
    body = client.get(reverse("home")).content.decode()
    feature = body.split('id="feature-heading"')[1].split("</section>")[0]
    assert "Graded Care Profile 2" in feature
    assert "Unrelated course" not in feature and "Draft course on neglect" not in body
    for n in range(4):
        assert body.count(f"Featured {n}<") <= 1


def test_home_without_a_current_theme_of_the_month(client):
    from briefings.models import FeaturedTheme

    theme = ThemeFactory()
    FeaturedTheme.objects.create(theme=theme, starts=datetime.date(2020, 1, 1), ends=datetime.date(2020, 1, 31))
    body = client.get(reverse("home")).content.decode()
    assert "Theme of the month" not in body


def test_theme_page_lists_a_shared_resource_once(client):
    theme = ThemeFactory()
    theme.resources.create(title="Neglect toolkit", url="https://example.org/toolkit", status="published")
    briefing = BriefingFactory(themes=[theme])
    briefing.resources.create(title="Neglect toolkit", url="https://example.org/toolkit", position=1)
    body = client.get(theme.get_absolute_url()).content.decode()
    assert body.count('href="https://example.org/toolkit"') == 1
