"""A refused second save shows what the other person changed and puts this person's own changes back."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, DiscussionQuestion, KeyFact, Section
from portal.conflicts import word_diff
from tests.factories import BriefingFactory, CourseFactory, UserFactory
from training.models import Session

from .conftest import form_data, post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def alex_and_sam(db):
    alex, sam = Client(), Client()
    alex.force_login(UserFactory(username="alex", publisher=True, first_name="Alex", last_name="Smith"))
    sam.force_login(UserFactory(username="sam", publisher=True, first_name="Sam", last_name="Jones"))
    return alex, sam


def panel(page):
    match = re.search(r'<section class="conflict".*?</section>', page, re.S)
    assert match, "no conflict panel"
    return match.group(0)


def test_the_refused_save_shows_their_changes_and_keeps_mine_part_by_part(alex_and_sam):
    alex, sam = alex_and_sam
    briefing = BriefingFactory(
        title="Neglect in the early years",
        draft=True,
        sections=3,
        questions=1,
        key_facts=[("60%", "of reviews feature neglect")],
        resources=1,
    )
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    alex_data = form_data(alex.get(url), "briefing_form")
    sam_data = form_data(sam.get(url), "briefing_form")

    alex_data["summary"] = ["Alex's summary of the learning."]
    alex_data["sections-0-body"] = ["Alex added a sentence. Body of part 1."]
    alex_data["key_facts-0-text"] = ["of reviews Alex checked feature neglect"]
    assert alex.post(url, post_data(alex_data)).status_code == 302

    sam_data["title"] = ["Sam's better title"]
    sam_data["summary"] = ["Sam's carefully written summary."]
    sam_data["sections-1-body"] = ["Sam rewrote part 2."]
    sam_data["questions-1-text"] = ["Sam's new question?"]
    response = sam.post(url, post_data(sam_data))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the error" not in page
    conflict = panel(page)
    assert "was changed while you were editing it: Alex Smith saved it at" in conflict
    assert "Your changes have NOT been saved" in conflict

    # The fresh form is the briefing as it is now, at its current version, with Sam's own changes in it.
    fresh = form_data(response, "briefing_form")
    current = Briefing.objects.get(pk=briefing.pk)
    assert fresh["loaded_version"] == [str(current.version)]
    assert fresh["title"] == ["Sam's better title"]  # only Sam changed it
    assert fresh["sections-1-body"] == ["Sam rewrote part 2."]  # only Sam changed it
    assert fresh["sections-0-body"] == ["Alex added a sentence. Body of part 1."]  # only Alex changed it
    assert fresh["summary"] == ["Alex's summary of the learning."]  # both: theirs in the field...
    assert "Sam&#x27;s carefully written summary." in conflict  # ... and Sam's beside it
    assert 'data-use-mine="id_summary"' in conflict
    added = [key for key, value in fresh.items() if value == ["Sam's new question?"]]
    assert added and added[0].startswith("questions-")

    # What Alex changed, word by word.
    assert "Section 1 “Part 1”: Body" in conflict and "<ins>Alex added a sentence. </ins>" in conflict
    assert "Key fact 1" in conflict and "<ins>Alex checked </ins>" in conflict

    # Saving the fresh form as it stands keeps both people's work.
    assert sam.post(url, post_data(fresh)).status_code == 302
    briefing.refresh_from_db()
    assert briefing.title == "Sam's better title"
    assert briefing.summary == "Alex's summary of the learning."
    bodies = list(Section.objects.filter(briefing=briefing).values_list("body", flat=True))
    assert bodies == ["Alex added a sentence. Body of part 1.", "Sam rewrote part 2.", "Body of part 3."]
    assert KeyFact.objects.get(briefing=briefing).text == "of reviews Alex checked feature neglect"
    assert DiscussionQuestion.objects.filter(briefing=briefing, text="Sam's new question?").exists()


def test_a_part_one_person_deleted_and_the_other_changed(alex_and_sam):
    alex, sam = alex_and_sam
    briefing = BriefingFactory(
        title="Neglect in the early years",
        draft=True,
        sections=3,
        questions=1,
        key_facts=[("60%", "of reviews feature neglect")],
        resources=1,
    )
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    alex_data = form_data(alex.get(url), "briefing_form")
    sam_data = form_data(sam.get(url), "briefing_form")
    alex_data["sections-2-DELETE"] = ["on"]
    assert alex.post(url, post_data(alex_data)).status_code == 302
    sam_data["sections-2-body"] = ["Sam's words on part 3."]
    sam_data["sections-0-DELETE"] = ["on"]
    response = sam.post(url, post_data(sam_data))
    conflict = panel(response.content.decode())
    assert "Parts they deleted that you had changed" in conflict and "Sam&#x27;s words on part 3." in conflict
    fresh = form_data(response, "briefing_form")
    assert fresh.get("sections-0-DELETE") == ["on"]  # Sam's delete of a part Alex left alone stands
    assert sam.post(url, post_data(fresh)).status_code == 302
    assert list(Section.objects.filter(briefing=briefing).values_list("heading", flat=True)) == ["Part 2"]


def test_a_course_conflict_is_resolved_the_same_way(alex_and_sam):
    alex, sam = alex_and_sam
    course = CourseFactory(title="Child neglect", draft=True, outcomes=1)
    # In summer time, so the form's local time and the database's UTC are written differently.
    starts = datetime.datetime(timezone.localdate().year + 1, 7, 1, 9, 30, tzinfo=datetime.UTC)
    ends = starts + datetime.timedelta(hours=3)
    Session.objects.create(course=course, starts=starts, ends=ends, location="Town hall", note="Bring lunch")
    url = reverse("admin:training_course_change", args=[course.pk])
    alex_data = form_data(alex.get(url), "course_form")
    sam_data = form_data(sam.get(url), "course_form")
    alex_data["summary"] = ["Alex's course summary."]
    assert alex.post(url, post_data(alex_data)).status_code == 302
    sam_data["duration"] = ["Half day (3 hours)"]
    sam_data["sessions-0-note"] = ["Lunch is provided"]
    response = sam.post(url, post_data(sam_data))
    assert response.status_code == 200
    fresh = form_data(response, "course_form")
    assert fresh["duration"] == ["Half day (3 hours)"] and fresh["summary"] == ["Alex's course summary."]
    assert fresh["sessions-0-note"] == ["Lunch is provided"]
    conflict = panel(response.content.decode())
    # A session's times, shown in local time on the form, are not mistaken for a change.
    assert "Starts" not in conflict and "Parts you both changed" not in conflict
    assert "<ins>Alex&#x27;s course summary</ins>" in panel(response.content.decode())


def test_word_diff_marks_only_what_changed_and_escapes_markup():
    html = word_diff("Call the <b>duty</b> team today.", "Call the <b>duty</b> team by 5pm.")
    assert html == "Call the &lt;b&gt;duty&lt;/b&gt; team <del>today</del><ins>by 5pm</ins>."


def test_the_history_page_shows_section_and_key_fact_edits_word_by_word(alex_and_sam):
    alex, _ = alex_and_sam
    briefing = BriefingFactory(
        title="Neglect in the early years",
        draft=True,
        sections=2,
        questions=1,
        key_facts=[("60%", "of reviews feature neglect")],
        resources=1,
    )
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    data = form_data(alex.get(url), "briefing_form")
    data["sections-1-body"] = ["Body of part 2, now with the duty team's number."]
    assert alex.post(url, post_data(data)).status_code == 302
    fact = KeyFact.objects.get(briefing=briefing)
    fact.text = "of serious case reviews feature neglect"
    fact.save()

    page = alex.get(reverse("admin:briefings_briefing_history", args=[briefing.pk])).content.decode()
    newest = page[page.index("<tbody>") : page.index("</tr>", page.index("<tbody>"))]
    assert "Section “Part 2”</strong> changed" in newest
    assert "<ins>, now with the duty team&#x27;s number</ins>" in newest
    assert "Key fact “60%”</strong> changed" in newest and "<ins>serious case </ins>" in newest


def test_the_restore_confirmation_shows_what_each_part_will_say(alex_and_sam):
    alex, _ = alex_and_sam
    briefing = BriefingFactory(
        title="Neglect in the early years",
        draft=True,
        sections=2,
        questions=1,
        key_facts=[("60%", "of reviews feature neglect")],
        resources=1,
    )
    first = briefing.history.order_by("history_date").first()
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    data = form_data(alex.get(url), "briefing_form")
    data["sections-0-body"] = ["A new first part."]
    assert alex.post(url, post_data(data)).status_code == 302
    Section.objects.create(briefing=briefing, position=3, heading="Added later", body="Later text.")

    page = alex.get(reverse("admin:briefings_briefing_restore", args=[briefing.pk, first.history_id])).content.decode()
    assert "Body of part 2." in page  # the full text of a part that stays as it is
    assert "<del>A new first part</del><ins>Body of part 1</ins>" in page  # and of one that changes back
    assert "Removed</strong> (added since that version): Added later" in page
