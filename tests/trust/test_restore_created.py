"""Restoring a version brings back what it really had, and never leaves a published briefing empty."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, Section
from portal import history
from tests.factories import ThemeFactory

from .conftest import form_data, post_data
from .test_history import snapshot

pytestmark = pytest.mark.urls("portal.site.urls")


def create_in_admin(client, theme):
    """A briefing created as staff do: the add form with themes and one of each part."""
    add = reverse("admin:briefings_briefing_add")
    data = form_data(client.get(add + "?kind=seven_minute_briefing"), "briefing_form")
    data.update(
        title=["Created with everything"],
        slug=["created-with-everything"],
        summary=["What the first version said."],
        kind=["seven_minute_briefing"],
        themes=[str(theme.pk)],
        status=["published"],
        published=[(timezone.localdate() - datetime.timedelta(days=1)).isoformat()],
        **{
            "sections-0-position": ["1"],
            "sections-0-heading": ["Background"],
            "sections-0-body": ["The first body."],
            "questions-0-position": ["1"],
            "questions-0-text": ["What is daily life like for this child?"],
            "key_facts-0-position": ["1"],
            "key_facts-0-figure": ["60%"],
            "key_facts-0-text": ["of reviews feature neglect"],
            "resources-0-position": ["1"],
            "resources-0-title": ["Toolkit"],
            "resources-0-kind": ["toolkit"],
            "resources-0-url": ["https://example.org/toolkit"],
        },
    )
    for index in range(1, 7):
        data[f"sections-{index}-heading"] = [""]  # the other starter panels, dropped as staff drop them
    response = client.post(add, post_data(data))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Briefing.objects.get(slug="created-with-everything")


def test_restoring_the_created_version_brings_back_its_parts(publisher_client):
    briefing = create_in_admin(publisher_client, ThemeFactory())
    created = snapshot(briefing)
    assert created["sections"] and created["questions"] and created["facts"] and created["resources"]
    assert briefing.history.count() >= 2  # the themes make a second row just after the first

    # Later edits, saved as the admin saves them: the briefing first, then its parts.
    briefing.summary = "A later summary."
    briefing.save()
    first = briefing.sections.get()
    first.body = "Rewritten much later."
    first.save()
    Section.objects.create(briefing=briefing, position=2, heading="Added later")
    briefing.questions.all().delete()

    record = briefing.history.order_by("history_date", "history_id").first()
    assert record.history_type == "+"
    url = reverse("admin:briefings_briefing_restore", args=[briefing.pk, record.history_id])
    confirm = publisher_client.get(url).content.decode()
    assert "What is daily life like for this child?" in confirm
    # "Added later" appears only among the parts the restore removes.
    assert confirm.count("Added later") == 1 and "(added since that version): Added later" in confirm
    assert publisher_client.post(url).status_code == 302
    assert snapshot(briefing) == created


def test_a_restore_that_would_leave_a_published_briefing_without_sections_is_refused(publisher_client):
    briefing = Briefing.objects.create(
        title="Started empty", slug="started-empty", summary="S.", status="published", published="2024-05-01"
    )
    record = briefing.history.get()
    briefing.save()
    Section.objects.create(briefing=briefing, position=1, heading="Background", body="Live text.")
    before = snapshot(briefing)

    with pytest.raises(history.RestoreError, match="no sections"):
        history.restore_briefing(briefing, history.version_end(record))
    assert snapshot(briefing) == before

    url = reverse("admin:briefings_briefing_restore", args=[briefing.pk, record.history_id])
    response = publisher_client.post(url, follow=True)
    assert response.status_code == 200
    assert "would leave this published briefing with no sections" in response.content.decode()
    assert snapshot(briefing) == before
    assert Briefing.objects.get(pk=briefing.pk).status == "published"


def test_a_draft_may_be_restored_to_a_version_without_sections(db):
    briefing = Briefing.objects.create(title="Draft", slug="draft", summary="S.")
    record = briefing.history.get()
    briefing.save()
    Section.objects.create(briefing=briefing, position=1, heading="Background")
    history.restore_briefing(briefing, history.version_end(record))
    assert not briefing.sections.exists()
