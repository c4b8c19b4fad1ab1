"""Two staff editing the same record: the second save is refused and nothing typed is lost."""

import pytest
from django.urls import reverse

from briefings.models import Briefing
from portal.admin_mixins import VersionedForm
from tests.factories import BriefingFactory, CourseFactory, UserFactory

from .conftest import form_data, post_data

pytestmark = pytest.mark.urls("tests.trust.urls")


@pytest.fixture
def two_publishers(client, django_user_model, db):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(UserFactory(username="alex", publisher=True, first_name="Alex", last_name="Smith"))
    second.force_login(UserFactory(username="sam", publisher=True))
    return first, second


def test_second_save_of_a_stale_form_is_refused_and_keeps_what_was_typed(two_publishers):
    first, second = two_publishers
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    loaded = Briefing.objects.get(pk=briefing.pk).version
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    first_data = form_data(first.get(url), "briefing_form")
    second_data = form_data(second.get(url), "briefing_form")
    assert first_data["loaded_version"] == second_data["loaded_version"] == [str(loaded)]

    first_data["summary"] = ["Alex's summary."]
    assert first.post(url, post_data(first_data)).status_code == 302

    second_data["summary"] = ["Sam's carefully written summary."]
    second_data["sections-0-body"] = ["Sam's rewritten first section."]
    response = second.post(url, post_data(second_data))
    assert response.status_code == 200
    page = response.content.decode()
    assert "was changed while you were editing it: Alex Smith saved it at" in page
    assert "Your changes have NOT been saved" in page
    assert "Sam&#x27;s carefully written summary." in page
    assert "Sam&#x27;s rewritten first section." in page

    briefing.refresh_from_db()
    assert briefing.summary == "Alex's summary."
    assert briefing.sections.first().body == "Body of part 1."
    assert briefing.version == loaded + 1


def test_saving_again_from_a_fresh_form_works(two_publishers):
    first, _ = two_publishers
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    loaded = Briefing.objects.get(pk=briefing.pk).version
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    for text in ["One.", "Two.", "Three."]:
        data = form_data(first.get(url), "briefing_form")
        data["summary"] = [text]
        assert first.post(url, post_data(data)).status_code == 302
    briefing.refresh_from_db()
    assert (briefing.summary, briefing.version) == ("Three.", loaded + 3)


def test_form_without_the_version_field_is_refused_not_saved(two_publishers):
    first, _ = two_publishers
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    data = form_data(first.get(url), "briefing_form")
    del data["loaded_version"]
    data["summary"] = ["From a form that lost its version."]
    assert first.post(url, post_data(data)).status_code == 200
    assert Briefing.objects.get(pk=briefing.pk).summary != "From a form that lost its version."


def test_a_save_racing_past_the_form_check_is_still_refused(two_publishers, monkeypatch):
    """The save itself is a conditional UPDATE: if the version moved after the form check, nothing is written."""
    first, _ = two_publishers
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    loaded = Briefing.objects.get(pk=briefing.pk).version
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    data = form_data(first.get(url), "briefing_form")
    data["summary"] = ["Racing summary."]
    # Someone else's save lands just after this request's form check: the check still sees the loaded version.
    Briefing.objects.filter(pk=briefing.pk).update(version=loaded + 1, summary="Someone else's summary.")
    real_current_version = VersionedForm.current_version
    checks = []

    def current_version_just_before_their_save(self, lock=False):
        checks.append(lock)
        return loaded if len(checks) == 1 else real_current_version(self, lock)

    monkeypatch.setattr(VersionedForm, "current_version", current_version_just_before_their_save)
    response = first.post(url, post_data(data))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your changes have NOT been saved" in page
    assert "Racing summary." in page
    briefing.refresh_from_db()
    assert (briefing.summary, briefing.version) == ("Someone else's summary.", loaded + 1)


@pytest.mark.urls("portal.site.urls")
def test_course_admin_refuses_a_stale_save(two_publishers):
    first, second = two_publishers
    course = CourseFactory(draft=True, outcomes=1)
    url = reverse("admin:training_course_change", args=[course.pk])
    first_data = form_data(first.get(url), "course_form")
    second_data = form_data(second.get(url), "course_form")
    first_data["summary"] = ["First."]
    assert first.post(url, post_data(first_data)).status_code == 302
    second_data["summary"] = ["Second."]
    response = second.post(url, post_data(second_data))
    assert response.status_code == 200
    assert "Second." in response.content.decode()
    course.refresh_from_db()
    assert course.summary == "First."
