"""Every change keeps the previous version: see it, compare it, restore it with its parts, recover deletions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, Section
from portal import history
from tests.factories import BriefingFactory, CourseFactory, ThemeFactory, UserFactory
from training.models import Course, LearningOutcome

# The real admin (briefings.admin, training.admin) carries RestoreWithPartsMixin.


def later(seconds=1):
    return timezone.now() + datetime.timedelta(seconds=seconds)


def snapshot(briefing):
    briefing = Briefing.objects.get(pk=briefing.pk)
    return {
        "title": briefing.title,
        "summary": briefing.summary,
        "themes": sorted(briefing.themes.values_list("name", flat=True)),
        "sections": list(briefing.sections.values_list("position", "heading", "body")),
        "questions": list(briefing.questions.values_list("text", flat=True)),
        "facts": list(briefing.key_facts.values_list("figure", "text")),
        "resources": list(briefing.resources.values_list("title", "url")),
    }


def test_restore_briefing_brings_back_fields_parts_and_themes_as_they_were(db):
    briefing = BriefingFactory(sections=3, draft=True, questions=1, key_facts=1, resources=1)
    briefing.themes.add(ThemeFactory(name="Child neglect"))
    before = snapshot(briefing)
    moment = timezone.now()

    briefing.title, briefing.summary = "Rewritten", "A new summary."
    briefing.save()
    briefing.themes.set([ThemeFactory(name="Disguised compliance")])
    briefing.sections.filter(position=2).delete()
    Section.objects.filter(briefing=briefing, position=1).update(body="Changed body.")  # no history: update()
    first = briefing.sections.get(position=1)
    first.body = "Edited body."
    first.save()
    Section.objects.create(briefing=briefing, position=9, heading="Added later")
    briefing.questions.all().delete()
    assert snapshot(briefing) != before

    restored = history.restore_briefing(briefing, moment)
    assert snapshot(briefing) == before
    assert restored.version == Briefing.objects.get(pk=briefing.pk).version > 1
    # The restore is itself a change with history, so it can be undone.
    assert briefing.history.first().history_change_reason.startswith("Restored as it was at")


def test_restore_of_a_time_before_the_briefing_existed_is_refused(db):
    moment = timezone.now()
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    with pytest.raises(history.RestoreError):
        history.restore_briefing(briefing, moment - datetime.timedelta(days=1))


def test_deleted_briefing_is_recovered_with_its_parts(db):
    briefing = BriefingFactory(sections=4, questions=1, key_facts=1, resources=1)
    briefing.themes.add(ThemeFactory())
    before, pk = snapshot(briefing), briefing.pk
    Briefing.objects.get(pk=pk).delete()
    assert not Briefing.objects.filter(pk=pk).exists()

    deleted = list(history.deleted_records(Briefing))
    assert [record.id for record in deleted] == [pk]
    recovered = history.recover_deleted(Briefing, deleted[0].history_id)
    assert recovered.pk == pk
    assert snapshot(recovered) == before
    assert Briefing.objects.get(pk=pk).status == "published"
    assert list(history.deleted_records(Briefing)) == []


def test_deleted_briefing_recovered_by_someone_who_may_not_publish_comes_back_as_draft(db):
    briefing = BriefingFactory(questions=1, key_facts=1, resources=1)
    briefing.delete()
    record = history.deleted_records(Briefing).get()
    assert history.recover_deleted(Briefing, record.history_id, can_publish=False).status == "draft"


def test_recovered_briefing_whose_slug_was_reused_gets_a_new_slug(db):
    briefing = BriefingFactory(title="Neglect", slug="neglect", draft=True, questions=1, key_facts=1, resources=1)
    briefing.delete()
    BriefingFactory(title="Neglect again", slug="neglect", draft=True, questions=1, key_facts=1, resources=1)
    record = history.deleted_records(Briefing).get()
    assert history.recover_deleted(Briefing, record.history_id).slug == "neglect-restored"


def test_restore_course_with_outcomes(db):
    course = CourseFactory(title="Child neglect", draft=True, outcomes=["Recognise the signs of neglect"])
    moment = timezone.now()
    course.title = "Renamed"
    course.save()
    LearningOutcome.objects.create(course=course, position=2, text="Added later")
    course.outcomes.filter(position=1).delete()
    history.restore_course(course, moment)
    course = Course.objects.get(pk=course.pk)
    assert course.title == "Child neglect"
    assert list(course.outcomes.values_list("text", flat=True)) == ["Recognise the signs of neglect"]


def test_history_page_shows_who_changed_what_and_offers_restore(publisher_client, publisher):
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    from .conftest import form_data, post_data

    data = form_data(publisher_client.get(url), "briefing_form")
    data["summary"] = ["Summary changed by Pat."]
    publisher_client.post(url, post_data(data))
    page = publisher_client.get(reverse("admin:briefings_briefing_history", args=[briefing.pk]))
    html = page.content.decode()
    assert "Pat Publisher" in html
    assert "Summary changed by Pat." in html  # the compare column: old -> new
    first = briefing.history.order_by("history_date").first()
    assert reverse("admin:briefings_briefing_restore", args=[briefing.pk, first.history_id]) in html


def test_admin_restore_page_confirms_then_restores(publisher_client):
    briefing = BriefingFactory(sections=2, draft=True, questions=1, key_facts=1, resources=1)
    first = briefing.history.order_by("history_date").first()
    briefing.summary = "A later version, with a section added."
    briefing.save()
    Section.objects.create(briefing=briefing, position=5, heading="Added after")
    url = reverse("admin:briefings_briefing_restore", args=[briefing.pk, first.history_id])
    confirm = publisher_client.get(url)
    assert confirm.status_code == 200
    # Only as a part to be removed, not as one the briefing will contain.
    assert confirm.content.decode().count("Added after") == 1
    assert "Removed</strong> (added since that version): Added after" in confirm.content.decode()
    assert "Part 2" in confirm.content.decode()
    assert publisher_client.post(url).status_code == 302
    assert list(briefing.sections.values_list("heading", flat=True)) == ["Part 1", "Part 2"]
    assert Briefing.objects.get(pk=briefing.pk).summary == first.summary


def test_recover_deleted_admin_page_lists_and_recovers(publisher_client):
    briefing = BriefingFactory(
        title="Deleted by mistake", sections=3, draft=True, questions=1, key_facts=1, resources=1
    )
    pk = briefing.pk
    changelist = reverse("admin:briefings_briefing_changelist")
    publisher_client.post(reverse("admin:briefings_briefing_delete", args=[pk]), {"post": "yes"})
    assert not Briefing.objects.filter(pk=pk).exists()
    recover_url = reverse("admin:briefings_briefing_recover_deleted")
    assert recover_url in publisher_client.get(changelist).content.decode()
    page = publisher_client.get(recover_url)
    assert "Deleted by mistake" in page.content.decode()
    record = history.deleted_records(Briefing).get()
    response = publisher_client.post(recover_url, {"history_id": record.history_id})
    assert response.status_code == 302
    assert Briefing.objects.get(pk=pk).sections.count() == 3


def test_recover_deleted_page_refuses_users_who_cannot_add(client, db):

    viewer = UserFactory(username="viewer")
    client.force_login(viewer)
    assert client.get(reverse("admin:briefings_briefing_recover_deleted")).status_code == 403


def test_history_pages_list_versions_and_only_briefings_and_courses_offer_restore(staff_client):
    from briefings.models import Theme

    theme = Theme.objects.create(name="Neglect", slug="neglect")
    theme.name = "Child neglect"
    theme.save()
    page = staff_client.get(reverse("admin:briefings_theme_history", args=[theme.pk])).content.decode()
    assert 'id="change-history"' in page and "Changed by" in page
    assert "Restore with its parts" not in page and "style=" not in page.split('id="change-history"')[1]
    briefing = Briefing.objects.create(title="Neglect", slug="neglect-b", summary="S.")
    briefing.title = "Neglect again"
    briefing.save()
    page = staff_client.get(reverse("admin:briefings_briefing_history", args=[briefing.pk])).content.decode()
    assert page.count("Restore with its parts") == 2


def test_the_confirmation_page_and_the_change_reason_write_the_time_the_same_way(publisher_client):
    briefing = BriefingFactory(
        title="Neglect in the early years", draft=True, sections=1, questions=1, key_facts=1, resources=1
    )
    first = briefing.history.order_by("history_date").first()
    briefing.summary = "A later version."
    briefing.save()
    url = reverse("admin:briefings_briefing_restore", args=[briefing.pk, first.history_id])
    stamp = timezone.localtime(first.history_date)
    written = f"{stamp:%H:%M:%S} on {stamp.day} {stamp:%B %Y}"
    assert f"as it was at {written}?" in publisher_client.get(url).content.decode()
    assert publisher_client.post(url).status_code == 302
    assert briefing.history.first().history_change_reason == f"Restored as it was at {written}"
