"""Stand-alone resources follow the publication rule of everything else: a publisher publishes them."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefings.models import Resource
from portal.models import SearchDocument
from portal.site import search
from portal.site.search.index import ALWAYS
from tests.factories import BriefingFactory, ResourceFactory, ThemeFactory, UserFactory

from .conftest import form_data, post_data

pytestmark = pytest.mark.urls("portal.site.urls")


def anonymous_search(words):
    response = Client().get(reverse("search"), {"q": words})
    assert response.status_code == 200
    return [result.document.title for result in response.context["results"]]


def theme_page(theme):
    return Client().get(theme.get_absolute_url()).content.decode()


def staff(username, group):
    client = Client()
    client.force_login(UserFactory(username=username, groups=[group]))
    return client


def add_in_admin(client, theme, title="Safeguarding strategy 2025", **extra):
    add = reverse("admin:briefings_resource_add")
    data = form_data(client.get(add), "resource_form")
    data.update(title=[title], url=["https://example.org/strategy"], themes=[str(theme.pk)], **extra)
    assert client.post(add, post_data(data)).status_code == 302
    search.flush()
    return Resource.objects.get(title=title)


def run_action(client, action, resource):
    changelist = reverse("admin:briefings_resource_changelist")
    client.post(changelist, {"action": action, "_selected_action": [resource.pk], "index": 0})
    search.flush()
    resource.refresh_from_db()


def test_an_editors_new_resource_is_a_draft_the_public_cannot_find(db):
    theme = ThemeFactory()
    editor = staff("eddie", "Editor")
    resource = add_in_admin(editor, theme, status=["published"])  # a crafted POST: the field is not shown
    assert resource.status == "draft"
    assert "Safeguarding strategy 2025" not in anonymous_search("safeguarding strategy")
    assert "Safeguarding strategy 2025" not in theme_page(theme)

    run_action(editor, "publish_selected", resource)
    assert resource.status == "draft"
    assert "publish_selected" not in editor.get(reverse("admin:briefings_resource_changelist")).content.decode()


def test_a_publisher_publishes_and_unpublishes_a_resource(db):
    theme = ThemeFactory()
    publisher = staff("pat", "Publisher")
    resource = add_in_admin(publisher, theme)
    assert resource.status == "draft"  # saving is not publishing

    run_action(publisher, "publish_selected", resource)
    assert resource.status == "published"
    assert anonymous_search("safeguarding strategy") == ["Safeguarding strategy 2025"]
    assert "Safeguarding strategy 2025" in theme_page(theme)

    run_action(publisher, "unpublish_selected", resource)
    assert resource.status == "draft"
    assert anonymous_search("safeguarding strategy") == []
    assert "Safeguarding strategy 2025" not in theme_page(theme)


def test_an_editor_cannot_unpublish_by_form_nor_publish_by_detaching_from_a_briefing(db):
    theme = ThemeFactory()
    live = ResourceFactory(title="Live leaflet", url="https://example.org/l")
    editor = staff("eddie", "Editor")
    url = reverse("admin:briefings_resource_change", args=[live.pk])
    # A published stand-alone resource has no draft: an editor may look, not change it (the form is
    # taken from a publisher's page, as a crafted POST would be).
    data = form_data(staff("pat", "Publisher").get(url), "resource_form")
    data.update(status=["draft"], description=["Edited by an editor."])
    assert editor.post(url, post_data(data)).status_code == 403
    live.refresh_from_db()
    assert (live.status, live.description) == ("published", "")

    # A resource of a briefing, published by a publisher at some point: taken off the briefing by an
    # editor it would be public on its own, with no publisher deciding.
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    part = briefing.resources.get()
    Resource.objects.filter(pk=part.pk).update(status="published")
    part.themes.add(theme)
    url = reverse("admin:briefings_resource_change", args=[part.pk])
    data = form_data(editor.get(url), "resource_form")
    data["briefing"] = [""]
    assert editor.post(url, post_data(data)).status_code == 302
    part.refresh_from_db()
    assert (part.briefing, part.status) == (None, "draft")
    assert part not in Resource.objects.public()


def test_public_is_exactly_published_stand_alone_ones_and_those_of_public_briefings(db):
    today = timezone.localdate()
    live = BriefingFactory(
        title="Live", published=today - datetime.timedelta(days=1), questions=1, key_facts=1, resources=1
    )
    soon = today + datetime.timedelta(days=9)
    embargoed = BriefingFactory(
        title="Embargoed", slug="embargoed", published=soon, questions=1, key_facts=1, resources=1
    )
    draft = BriefingFactory(title="Draft", slug="draft-one", draft=True, questions=1, key_facts=1, resources=1)
    published_alone = ResourceFactory(title="Alone, published", url="https://example.org/a")
    ResourceFactory(title="Alone, draft", url="https://example.org/b", draft=True)
    # A resource's own status does not matter on a briefing: the briefing decides.
    draft.resources.update(status="published")
    assert set(Resource.objects.public()) == {live.resources.get(), published_alone}
    assert embargoed.resources.get() not in Resource.objects.public()


def test_shown_results_are_checked_against_the_resource_itself(db):
    resource = ResourceFactory(title="Poster about neglect", url="https://example.org/p")
    search.flush()
    assert anonymous_search("poster neglect") == ["Poster about neglect"]
    Resource.objects.filter(pk=resource.pk).update(status="draft")  # no signal: the index is out of date
    assert anonymous_search("poster neglect") == []


def test_resource_rows_public_from(db):
    alone = ResourceFactory(title="Alone", url="https://example.org/a", draft=True)
    search.flush()
    row = SearchDocument.objects.get(type="resource", object_id=alone.pk)
    assert row.public_from is None
    alone.status = "published"
    alone.save()
    search.flush()
    row.refresh_from_db()
    assert row.public_from == ALWAYS


def test_publisher_group_may_publish_resources_and_editor_group_may_not(db):
    assert Group.objects.get(name="Publisher").permissions.filter(codename="publish_resource").exists()
    assert not Group.objects.get(name="Editor").permissions.filter(codename="publish_resource").exists()


BEFORE = [("briefings", "0002_initial"), ("portal", "0004_searchdocument_public_from")]


@pytest.mark.django_db(transaction=True)
def test_upgrade_publishes_existing_stand_alone_resources_and_grants_publishers():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Briefing = apps.get_model("briefings", "Briefing")
    OldResource = apps.get_model("briefings", "Resource")
    briefing = Briefing.objects.create(title="B", slug="b", summary="S", status="published", published="2024-01-01")
    attached = OldResource.objects.create(briefing=briefing, title="Attached", url="https://example.org/a")
    alone = OldResource.objects.create(title="Alone", url="https://example.org/b")
    # A database that had the permission before (migrated down and up again) starts without the grant.
    Permission = apps.get_model("auth", "Permission")
    # The roles migration made the group; a transactional test run before this one may have flushed it.
    publisher, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Publisher")
    publisher.permissions.remove(*Permission.objects.filter(codename="publish_resource"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Resource.objects.get(pk=alone.pk).status == "published"
    assert Resource.objects.get(pk=attached.pk).status == "draft"
    assert set(Resource.objects.public().values_list("pk", flat=True)) == {alone.pk, attached.pk}
    assert Group.objects.get(name="Publisher").permissions.filter(codename="publish_resource").exists()


def detach_and_publish(resource):
    resource.briefing, resource.status = None, "published"
    resource.save()


def test_restoring_a_briefing_leaves_a_resource_moved_off_it_since_where_it_is(db):
    from portal import history

    briefing = BriefingFactory(questions=1, key_facts=1, resources=1)
    briefing.save()
    resource = briefing.resources.get()
    detach_and_publish(resource)
    history.restore_briefing(briefing, history.version_end(briefing.history.first()))
    resource.refresh_from_db()
    assert (resource.briefing, resource.status) == (None, "published")


def test_an_editors_restore_does_not_take_a_published_stand_alone_resource_back_onto_a_briefing(db):
    from portal import history

    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    record = briefing.history.first()
    briefing.save()
    resource = briefing.resources.get()
    detach_and_publish(resource)
    history.restore_briefing(briefing, history.version_end(record), can_publish=False)
    resource.refresh_from_db()
    assert (resource.briefing, resource in Resource.objects.public()) == (None, True)

    history.restore_briefing(briefing, history.version_end(record), can_publish=True)
    resource.refresh_from_db()
    assert resource.briefing == briefing


def test_an_editor_cannot_hide_a_published_stand_alone_resource_by_putting_it_on_a_draft_briefing(db):
    draft = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    live = ResourceFactory(title="Live leaflet", url="https://example.org/l")
    editor = staff("eddie", "Editor")
    url = reverse("admin:briefings_resource_change", args=[live.pk])
    data = form_data(staff("pat", "Publisher").get(url), "resource_form")
    data.update(briefing=[str(draft.pk)], description=["Edited."])
    assert editor.post(url, post_data(data)).status_code == 403
    live.refresh_from_db()
    assert (live.briefing, live.description) == (None, "")
    assert live in Resource.objects.public()


def test_resources_list_says_which_are_published_and_which_follow_their_briefing(db):
    BriefingFactory(questions=1, key_facts=1, resources=1)
    ResourceFactory(title="Alone, draft", url="https://example.org/b", draft=True)
    page = staff("pat", "Publisher").get(reverse("admin:briefings_resource_changelist")).content.decode()
    assert "with its briefing" in page and "Draft" in page
