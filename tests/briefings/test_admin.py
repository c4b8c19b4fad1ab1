import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, FeaturedTheme, Resource, Section, Theme
from tests.conftest import import_through_admin
from tests.factories import BriefingFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["briefing", "theme", "featuredtheme", "resource"]


@pytest.fixture
def content(db):
    theme = ThemeFactory(name="Child neglect")
    briefing = BriefingFactory(sections=2, questions=1, key_facts=1, resources=1, themes=[theme])
    FeaturedTheme.objects.create(theme=theme, starts=timezone.localdate(), ends=timezone.localdate())
    return briefing


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_add_pages_load_for_staff(staff_client, content, model):
    assert staff_client.get(reverse(f"admin:briefings_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:briefings_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_change_and_history_pages_load_for_staff(staff_client, content, model):
    obj = {"briefing": content, "theme": Theme.objects.first(), "featuredtheme": FeaturedTheme.objects.first()}.get(
        model, Resource.objects.first()
    )
    assert staff_client.get(reverse(f"admin:briefings_{model}_change", args=[obj.pk])).status_code == 200
    if model != "featuredtheme":
        assert staff_client.get(reverse(f"admin:briefings_{model}_history", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("query", ["review=overdue", "review=soon", "review=none", "q=neglect", "kind=audit_findings"])
def test_changelist_filters_and_search_load(staff_client, content, query):
    assert staff_client.get(reverse("admin:briefings_briefing_changelist") + "?" + query).status_code == 200


def test_changelist_offers_an_add_link_per_kind_and_the_overdue_list(staff_client, content):
    BriefingFactory(title="Old one", review_due=timezone.localdate() - datetime.timedelta(days=3))
    body = staff_client.get(reverse("admin:briefings_briefing_changelist")).content.decode()
    for kind in Briefing.Kind.values:
        assert f"?kind={kind}" in body
    assert "Overdue for review (1)" in body
    overdue = staff_client.get(reverse("admin:briefings_briefing_changelist") + "?review=overdue")
    assert [b.title for b in overdue.context["cl"].result_list] == ["Old one"]


@pytest.mark.parametrize(
    ("kind", "headings"),
    [
        ("seven_minute_briefing", ["What this briefing is about", "Why it matters", "Questions to consider"]),
        ("thematic_review", ["Learning journey", "Good practice", "What else we found", "What you can do"]),
        ("audit_findings", ["Good practice", "Key learning", "Improving practice", "Next steps"]),
    ],
)
def test_add_page_with_kind_prefills_usual_headings(staff_client, kind, headings):
    response = staff_client.get(reverse("admin:briefings_briefing_add") + f"?kind={kind}")
    body = response.content.decode()
    for heading in headings:
        assert f'value="{heading}"' in body
    assert f'<option value="{kind}" selected>' in body


def test_add_page_with_unknown_kind_has_no_prefilled_headings(staff_client):
    body = staff_client.get(reverse("admin:briefings_briefing_add") + "?kind=<b>").content.decode()
    assert 'value="Why it matters"' not in body


def briefing_post(sections, **fields):
    data = {
        "title": "New briefing",
        "slug": "new-briefing",
        "kind": "audit_findings",
        "summary": "Summary.",
        "audience": "children",
        "status": "draft",
        **{
            f"{prefix}-{key}": value
            for prefix in ["sections", "questions", "key_facts", "resources"]
            for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
        **fields,
    }
    data["sections-TOTAL_FORMS"] = str(len(sections))
    for i, section in enumerate(sections):
        for key, value in section.items():
            data[f"sections-{i}-{key}"] = value
    return data


def test_prefilled_headings_are_saved_unless_cleared_and_positions_fill_in(staff_client):
    sections = [
        {"position": "", "heading": "Good practice", "body": ""},
        {"position": "", "heading": "", "body": ""},  # an editor cleared this pre-filled row
        {"position": "", "heading": "Next steps", "body": "Do *this*."},
    ]
    url = reverse("admin:briefings_briefing_add") + "?kind=audit_findings"
    response = staff_client.post(url, briefing_post(sections))
    assert response.status_code == 302, response.context["adminform"].form.errors
    briefing = Briefing.objects.get(slug="new-briefing")
    assert [(s.position, s.heading) for s in briefing.sections.all()] == [(1, "Good practice"), (2, "Next steps")]


def test_sections_can_be_reordered_by_position(staff_client):
    briefing = BriefingFactory(sections=3, slug="reorder")
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    existing = list(briefing.sections.all())
    data = briefing_post(
        [
            {"id": existing[0].pk, "position": "3", "heading": "Heading 1", "body": "Body **1**"},
            {"id": existing[1].pk, "position": "1", "heading": "Heading 2", "body": "Body **2**"},
            {"id": existing[2].pk, "position": "2", "heading": "Heading 3", "body": "Body **3**"},
            {"position": "", "heading": "Added at the end", "body": ""},
        ],
        title=briefing.title,
        slug=briefing.slug,
        kind=briefing.kind,
        status=briefing.status,
        published=briefing.published.isoformat(),
        loaded_version=briefing.version,
    )
    data["sections-INITIAL_FORMS"] = "3"
    data["sections-0-briefing"] = data["sections-1-briefing"] = data["sections-2-briefing"] = briefing.pk
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    headings = [s.heading for s in Section.objects.filter(briefing=briefing)]
    assert headings == ["Heading 2", "Heading 3", "Heading 1", "Added at the end"]


def test_stale_form_is_refused(staff_client):
    briefing = BriefingFactory(slug="stale")
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    data = briefing_post(
        [],
        title="My edit",
        slug=briefing.slug,
        status=briefing.status,
        published=briefing.published.isoformat(),
        loaded_version=briefing.version - 1 if briefing.version > 1 else 0,
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    # Refused: a fresh form of the briefing as it is now opens, with the conflict explained above it.
    assert response.context["conflict"] is not None and not response.context["adminform"].form.is_bound
    briefing.refresh_from_db()
    assert briefing.title != "My edit"


def test_change_form_carries_the_loaded_version(staff_client):
    briefing = BriefingFactory()
    body = staff_client.get(reverse("admin:briefings_briefing_change", args=[briefing.pk])).content.decode()
    assert 'name="loaded_version"' in body


def test_markdown_fields_use_the_markdownx_editor_in_inlines(staff_client):
    body = staff_client.get(reverse("admin:briefings_briefing_add") + "?kind=audit_findings").content.decode()
    assert 'name="sections-0-body"' in body
    assert body.count("markdownx-editor") >= 4
    assert "js/admin-markdownx-inlines.js" in body


def test_publish_selected_sets_status_and_todays_date(staff_client):
    draft = BriefingFactory(draft=True, published=None)
    before = timezone.localdate()
    response = staff_client.post(
        reverse("admin:briefings_briefing_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Briefing.Status.PUBLISHED
    # Either side of midnight, should the request run across it.
    assert draft.published in {before, timezone.localdate()}


def test_unpublish_selected_makes_drafts(staff_client):
    briefing = BriefingFactory()
    staff_client.post(
        reverse("admin:briefings_briefing_changelist"),
        {"action": "unpublish_selected", "_selected_action": [briefing.pk]},
    )
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT


def test_editor_cannot_publish_or_see_publish_actions(editor_client):
    draft = BriefingFactory(draft=True)
    body = editor_client.get(reverse("admin:briefings_briefing_changelist")).content.decode()
    assert "publish_selected" not in body
    editor_client.post(
        reverse("admin:briefings_briefing_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Briefing.Status.DRAFT


IMPORT_FILE = b"""---
title: Uploaded briefing
kind: audit_findings
summary: From the admin.
status: published
published: 2024-01-01
---
## Good practice
Text.
"""


def test_import_page_imports_good_files_and_reports_bad_ones(staff_client):
    url = reverse("admin:briefings_briefing_import")
    assert staff_client.get(url).status_code == 200
    files = [
        SimpleUploadedFile("good.md", IMPORT_FILE, content_type="text/markdown"),
        SimpleUploadedFile("bad.md", b"no front matter", content_type="text/markdown"),
    ]
    preview, done = import_through_admin(staff_client, files)
    assert "bad.md: front matter" in preview.content.decode()
    assert "Created" in done.content.decode()
    briefing = Briefing.objects.get()
    assert briefing.status == Briefing.Status.PUBLISHED


def test_import_page_saves_drafts_for_users_who_cannot_publish(editor_client):
    assert "You cannot publish" in editor_client.get(reverse("admin:briefings_briefing_import")).content.decode()
    import_through_admin(editor_client, {"good.md": IMPORT_FILE})
    assert Briefing.objects.get().status == Briefing.Status.DRAFT


def test_import_page_is_refused_without_add_permission(client):
    user = UserFactory(username="viewer")
    client.force_login(user)
    assert client.get(reverse("admin:briefings_briefing_import")).status_code == 403


def test_editor_group_can_reach_every_briefings_admin_page(editor_client):
    assert Group.objects.filter(name="Editor").exists()
    for model in MODELS:
        assert editor_client.get(reverse(f"admin:briefings_{model}_changelist")).status_code == 200


def test_import_page_lists_every_problem_of_a_rejected_file(staff_client):
    bad = b"---\ntitle: T\nkind: podcast\nsummary: S.\ncourses: [no-such-course]\n---\n"
    response = staff_client.post(
        reverse("admin:briefings_briefing_import"), {"files": [SimpleUploadedFile("bad.md", bad)]}
    )
    body = response.content.decode()
    assert "bad.md: kind: unknown value &#x27;podcast&#x27;" in body
    assert "<li>bad.md: courses: no course with the slug &#x27;no-such-course&#x27;</li>" in body
    assert not Briefing.objects.exists()
