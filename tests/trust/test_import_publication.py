"""Import is no way round the publish permission: an editor's file never changes what the public sees."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefings.importer import import_file
from briefings.models import Briefing
from portal import publication
from tests.conftest import import_through_admin
from tests.factories import UserFactory

pytestmark = pytest.mark.urls("portal.site.urls")


def briefing_file(published, summary="Short.", status="published"):
    return (
        "---\ntitle: Embargoed learning\nslug: embargoed-learning\nkind: audit_findings\n"
        f"summary: {summary}\nstatus: {status}\npublished: {published}\n---\n## Key learning\nText.\n"
    ).encode()


def staff_client(username, group):
    client = Client()
    client.force_login(UserFactory(username=username, groups=[group]))
    return client


def admin_import(client, name, raw):
    _, done = import_through_admin(client, {name: raw})
    return done


def public_status(slug="embargoed-learning"):
    return Client().get(reverse("briefings:detail", args=[slug])).status_code


def test_editor_import_with_an_earlier_date_does_not_lift_an_embargo(db):
    embargo = timezone.localdate() + datetime.timedelta(days=200)
    admin_import(staff_client("pat", "Publisher"), "a.md", briefing_file(embargo))
    assert public_status() == 404

    response = admin_import(staff_client("eddie", "Editor"), "a.md", briefing_file("2020-01-01", "Edited."))
    briefing = Briefing.objects.get(slug="embargoed-learning")
    # The change waits for approval (tests/trust/test_signoff.py), with the date as it was.
    assert (briefing.status, briefing.published, briefing.summary) == ("published", embargo, "Short.")
    waiting = publication.pending_for(briefing).snapshot["fields"]
    assert (waiting["published"], waiting["summary"]) == (embargo.isoformat(), "Edited.")
    assert public_status() == 404
    # The editor is told the date was kept, not left to find out.
    assert "only someone who may publish can change it" in response.content.decode()


def test_editor_import_with_a_future_date_does_not_take_a_published_briefing_down(db):
    admin_import(staff_client("pat", "Publisher"), "a.md", briefing_file("2024-05-01"))
    assert public_status() == 200

    admin_import(staff_client("eddie", "Editor"), "a.md", briefing_file("2099-01-01", "Edited."))
    briefing = Briefing.objects.get(slug="embargoed-learning")
    assert (briefing.published, briefing.summary) == (datetime.date(2024, 5, 1), "Short.")
    waiting = publication.pending_for(briefing).snapshot["fields"]
    assert (waiting["published"], waiting["summary"]) == ("2024-05-01", "Edited.")
    publication.approve(publication.pending_for(briefing), UserFactory(username="pat2", publisher=True))
    assert Briefing.objects.get(slug="embargoed-learning").summary == "Edited."
    assert public_status() == 200


def test_editor_may_still_set_the_date_of_a_draft(db):
    assert import_file("a.md", briefing_file("2024-05-01", status="draft"), can_publish=False).ok
    assert import_file("a.md", briefing_file("2024-06-01", status="draft"), can_publish=False).ok
    assert Briefing.objects.get().published == datetime.date(2024, 6, 1)


def test_an_unchanged_file_from_an_editor_is_still_unchanged(db):
    """Keeping the locked date must not make every re-import of an exported file look like an edit."""
    assert import_file("a.md", briefing_file("2024-05-01")).ok
    result = import_file("a.md", briefing_file("2024-05-01"), can_publish=False)
    assert (result.action, result.warnings) == ("unchanged", [])


def test_publisher_import_may_move_the_date(db):
    assert import_file("a.md", briefing_file("2024-05-01")).ok
    assert import_file("a.md", briefing_file("2099-01-01")).ok
    assert Briefing.objects.get().published == datetime.date(2099, 1, 1)
