from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from briefings.models import Theme
from training.demo import DemoDataError, load_training
from training.models import Course, LearningOutcome, Session

pytestmark = pytest.mark.django_db

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "training.yaml"
SLUGS = {
    "child-abuse-and-neglect-elearning",
    "child-neglect",
    "understanding-adolescent-neglect",
    "graded-care-profile-2",
    "introduction-to-childhood-adversity-and-trauma-informed-practice",
    "trauma-informed-practice",
    "support-level-guidance",
    "icon-elearning",
    "child-protection-conferences",
}


def counts():
    return (Course.objects.count(), Session.objects.count(), LearningOutcome.objects.count())


def test_demo_has_the_seed_courses_with_outcomes():
    load_training(FIXTURE)
    assert set(Course.objects.values_list("slug", flat=True)) == SLUGS
    for course in Course.objects.all():
        assert course.is_published
        assert course.outcomes.count() >= 4, course.slug
        assert course.booking_url.startswith("https://")
    elearning = set(Course.objects.filter(format="elearning").values_list("slug", flat=True))
    assert elearning == {"child-abuse-and-neglect-elearning", "support-level-guidance", "icon-elearning"}
    assert Course.objects.get(slug="child-abuse-and-neglect-elearning").level == 1
    gcp2 = Course.objects.get(slug="graded-care-profile-2")
    assert "completed the training" in gcp2.prerequisites_text
    assert list(gcp2.prerequisites.values_list("slug", flat=True)) == ["child-neglect"]


def test_demo_sessions_are_upcoming_on_weekdays_with_one_full_and_one_cancelled():
    load_training(FIXTURE)
    sessions = Session.objects.all()
    assert all(s.starts > timezone.now() for s in sessions)
    assert all(timezone.localtime(s.starts).weekday() < 5 for s in sessions)
    assert sessions.filter(status="full").count() == 1
    assert sessions.filter(status="cancelled").count() == 1
    assert Session.objects.upcoming().count() >= 10


def first_child_neglect_session():
    return Session.objects.filter(course__slug="child-neglect").order_by("starts").first()


def test_demo_session_times_are_uk_wall_clock_times_in_summer_and_winter():
    # 12 days after Monday 2 June 2031 is a Saturday, so the session moves to Monday 16 June (BST).
    load_training(FIXTURE, today=date(2031, 6, 2))
    summer = first_child_neglect_session()
    assert summer.starts == datetime(2031, 6, 16, 8, 30, tzinfo=UTC)
    assert timezone.localtime(summer.starts).strftime("%H:%M") == "09:30"
    load_training(FIXTURE, today=date(2031, 12, 1))
    winter = first_child_neglect_session()
    assert winter.starts == datetime(2031, 12, 15, 9, 30, tzinfo=UTC)


def test_load_training_twice_gives_the_same_counts_and_keys():
    load_training(FIXTURE)
    before, pks = counts(), set(Session.objects.values_list("pk", flat=True))
    load_training(FIXTURE)
    assert counts() == before
    assert set(Session.objects.values_list("pk", flat=True)) == pks


def test_themes_linked_by_slug_and_missing_ones_skipped():
    Theme.objects.create(name="Child neglect", slug="child-neglect")
    load_training(FIXTURE)
    course = Course.objects.get(slug="child-neglect")
    assert list(course.themes.values_list("slug", flat=True)) == ["child-neglect"]
    assert not Course.objects.get(slug="icon-elearning").themes.exists()


def write(tmp_path, text):
    path = tmp_path / "training.yaml"
    path.write_text(text, encoding="utf-8")
    return path


COURSE = "courses:\n  - slug: a\n    title: A\n    summary: S\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("courses: [", "cannot be read as YAML"),
        ("- just a list", "expected a mapping with a 'courses' list"),
        ("courses:\n  - title: No slug\n    summary: S\n", "'slug' is required"),
        (COURSE + "    format: webinar\n", "'format' must be one of"),
        (COURSE + "    booking_url: javascript:alert(1)\n", "starts with https://"),
        (COURSE + "    colour: red\n", "unknown field(s) colour"),
        (COURSE + "    prerequisites: [nowhere]\n", "unknown course(s) nowhere"),
        (COURSE + "    sessions:\n      - days_ahead: 3\n        start: '9.30'\n        end: '12:00'\n", "UK time"),
        (
            COURSE + "    sessions:\n      - days_ahead: 3\n        start: '12:00'\n        end: '09:00'\n",
            "after 'start'",
        ),
        (
            COURSE + "    sessions:\n      - days_ahead: soon\n        start: '09:00'\n        end: '10:00'\n",
            "days_ahead",
        ),
        (COURSE + "    slug: Not a slug!\n", "slug"),
        (COURSE + COURSE.removeprefix("courses:\n"), "more than once: a"),
    ],
)
def test_bad_demo_file_gets_clear_error_and_writes_nothing(tmp_path, text, message):
    with pytest.raises(DemoDataError) as error:
        load_training(write(tmp_path, text))
    assert message in str(error.value)
    assert str(tmp_path) in str(error.value)
    assert Course.objects.count() == 0


def test_sessions_removed_from_file_are_removed(tmp_path):
    two = COURSE + "    sessions:\n" + "      - {days_ahead: 3, start: '09:00', end: '10:00'}\n" * 2
    load_training(write(tmp_path, two))
    assert Session.objects.count() == 2
    load_training(write(tmp_path, COURSE))
    assert Session.objects.count() == 0
