"""Export from the briefings admin as a zip of .md files; import with a preview, a full error report and a confirm."""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from briefings.importer import briefing_to_data, prefetched, render_briefing
from briefings.models import Briefing, ImportBatch, KeyFact, Resource, Section, Theme
from briefings.transfer import file_name
from portal.models import PendingRevision
from tests.conftest import import_through_admin
from tests.factories import BriefingFactory, CourseFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:briefings_briefing_import"
CHANGELIST = "admin:briefings_briefing_changelist"

TABLE = "| Age | Seen |\n|---|---|\n| 0–2 | “often” |\n| 3–5 | ‘rarely’ — 1:10 |"
LONG_LIST = "\n".join(f"- Point {n}: what the practitioner “saw” and did" for n in range(1, 61))
PANELS = [(f"Panel {n}", "Text.") for n in range(3, 8)]


def rich_briefings(media):
    """One briefing of each kind, published and draft, with every part the format carries."""
    neglect, curiosity = ThemeFactory(name="Child neglect"), ThemeFactory(name="Professional curiosity")
    courses = [CourseFactory(slug="neglect-basics"), CourseFactory(slug="graded-care-profile-2")]
    seven = BriefingFactory(
        title="Neglect – what “serious” reviews tell us",
        summary="Why neglect is missed: £0 cost, café, Zoë’s team.",
        publisher="Example Safeguarding Children Partnership",
        based_on=Briefing.BasedOn.NATIONAL_REVIEW,
        last_reviewed=datetime.date(2025, 3, 3),
        review_due=datetime.date(2026, 5, 1),
        sections=[("Background", TABLE), ("Why it matters", LONG_LIST), *PANELS],
        questions=["What is daily life like for this child?", "Who else “knows” the family?"],
        key_facts=[("60%", "of serious case reviews feature neglect", "NSPCC"), ("1 in 10", "children", "")],
        resources=[{"title": "Neglect toolkit", "kind": "toolkit", "url": "https://example.org/t", "status": "draft"}],
        themes=[neglect, curiosity],
        courses=courses,
    )
    poster = Resource(briefing=seven, title="Poster", kind="poster", position=2, description="A4, “print me”")
    poster.file.save("poster.pdf", ContentFile(b"%PDF-1.4 poster"), save=True)
    review = BriefingFactory(
        title="Thematic review of neglect",
        kind=Briefing.Kind.THEMATIC_REVIEW,
        audience=Briefing.Audience.ALL_AGES,
        sections=[("Learning journey", "Text with **bold**."), ("10 things we found", LONG_LIST)],
        themes=[neglect],
    )
    draft = BriefingFactory(
        title="Audit findings – draft",
        kind=Briefing.Kind.AUDIT_FINDINGS,
        draft=True,
        published=None,
        based_on=Briefing.BasedOn.AUDIT,
        sample_description="14 cases, children aged 2 to 15",
        sections=[("Good practice", TABLE)],
        questions=1,
        courses=courses[:1],
    )
    return [seven, review, draft]


def records():
    """Every field of every record the import format carries, keyed by what is stable across a re-import.

    Left out: database keys, the created/updated times and the edit-lock counter (`version`), which a
    re-created record cannot keep and which are not content.
    """
    skip = {"id", "briefing", "created_at", "updated_at", "version"}

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip}

    out = {}
    for briefing in Briefing.objects.order_by("slug"):
        out[briefing.slug] = {
            **fields(briefing),
            "themes": sorted(fields(theme).items() for theme in briefing.themes.all()),
            "courses": sorted(course.slug for course in briefing.courses.all()),
            "sections": [fields(part) for part in briefing.sections.all()],
            "questions": [fields(part) for part in briefing.questions.all()],
            "key_facts": [fields(part) for part in briefing.key_facts.all()],
            "resources": [{**fields(part), "themes": list(part.themes.all())} for part in briefing.resources.all()],
        }
    return out


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def export_through_action(client, briefings):
    response = client.post(
        reverse(CHANGELIST), {"action": "export_selected", "_selected_action": [b.pk for b in briefings], "index": 0}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return response.content


def unzip(raw):
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make_zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, raw in members.items():
            info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name)
            archive.writestr(info, raw, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def as_file(briefing):
    """The briefing as the exporter writes it, read afresh from the database."""
    return render_briefing(briefing_to_data(prefetched(Briefing.objects.filter(pk=briefing.pk)).get())).encode()


def good_file(title="Uploaded briefing", status="published", extra=""):
    return (
        f"---\ntitle: {title}\nkind: audit_findings\nsummary: From the admin.\nstatus: {status}\n"
        f"published: 2024-01-01\n{extra}---\n## Good practice\nText.\n"
    ).encode()


# --- Export ------------------------------------------------------------------------------------


def test_the_export_zip_reimports_to_identical_records(publisher_client, media):
    briefings = rich_briefings(media)
    before = records()
    exported = export_through_action(publisher_client, briefings)
    assert sorted(unzip(exported)) == sorted(f"{b.slug}.md" for b in briefings)

    seven, review, draft = briefings
    review.delete()
    draft.delete()
    Section.objects.filter(briefing=seven, position=1).update(body="Changed.")
    KeyFact.objects.filter(briefing=seven).delete()
    seven.themes.clear()
    Briefing.objects.filter(pk=seven.pk).update(title="Renamed", status="draft", review_due=None)
    changed = records()
    assert changed != before

    preview, _ = import_through_admin(publisher_client, {"briefings.zip": exported}, confirm=False)
    assert records() == changed, "the preview wrote something"
    page = preview.content.decode()
    assert "New briefing" in page and "Update" in page
    assert "7 sections, 2 key facts, 2 questions, 2 resources, 2 themes, 2 linked courses" in page
    assert "Confirm: import 3 files" in page
    done = publisher_client.post(reverse(IMPORT_URL), {"token": preview.context["token"]})
    assert "3 file(s) imported." in done.content.decode()
    assert records() == before
    assert export_through_action(publisher_client, Briefing.objects.all()) is not None
    assert unzip(export_through_action(publisher_client, Briefing.objects.all())) == unzip(exported)


def test_editors_may_export_and_the_zip_holds_drafts_marked_as_drafts(editor_client, media):
    live, draft = BriefingFactory(title="Live one"), BriefingFactory(title="Not yet", draft=True)
    files = unzip(export_through_action(editor_client, [live, draft]))
    assert files == {f"{b.slug}.md": as_file(b) for b in (live, draft)}
    assert b"\nstatus: draft\n" in files["not-yet.md"] and b"\nstatus: published\n" in files["live-one.md"]
    assert Briefing.objects.get(pk=live.pk).version == live.version  # reading only


def test_export_all_link_downloads_every_briefing(editor_client, media):
    briefings = [BriefingFactory(), BriefingFactory(draft=True), BriefingFactory(kind=Briefing.Kind.AUDIT_FINDINGS)]
    page = editor_client.get(reverse(CHANGELIST)).content.decode()
    url = reverse("admin:briefings_briefing_export")
    assert f'href="{url}"' in page
    response = editor_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="briefings-')
    assert sorted(unzip(response.content)) == sorted(f"{b.slug}.md" for b in briefings)


def test_export_is_refused_without_permission_to_view_briefings(client):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("admin:briefings_briefing_export")).status_code == 403


def test_export_file_names_are_safe_and_unique():
    taken = set()
    names = [file_name(slug, taken) for slug in ["a", "A", "../etc/passwd", "", "a"]]
    assert names == ["a.md", "A-2.md", "etc-passwd.md", "briefing.md", "a-3.md"]


# --- Import: the report, the preview and the confirm ------------------------------------------


def test_the_preview_writes_nothing_and_only_confirm_writes(staff_client):
    preview, _ = import_through_admin(staff_client, {"good.md": good_file()}, confirm=False)
    assert "New briefing" in preview.content.decode()
    assert not Briefing.objects.exists() and not Theme.objects.exists()
    response = staff_client.post(reverse(IMPORT_URL), {"token": preview.context["token"]})
    assert Briefing.objects.get().status == Briefing.Status.PUBLISHED
    assert "Created" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_preview_confirms_once_and_only_for_its_own_user(staff_client):
    preview, _ = import_through_admin(staff_client, {"good.md": good_file()}, confirm=False)
    token = preview.context["token"]
    client = Client()
    client.force_login(UserFactory(username="other", superuser=True))
    refused = client.post(reverse(IMPORT_URL), {"token": token})
    assert "has expired or was not yours" in refused.content.decode()
    assert not Briefing.objects.exists()
    staff_client.post(reverse(IMPORT_URL), {"token": token})
    again = staff_client.post(reverse(IMPORT_URL), {"token": token})
    assert "has already been imported" in again.content.decode()
    assert Briefing.objects.count() == 1


def test_an_expired_preview_cannot_be_confirmed(staff_client):
    preview, _ = import_through_admin(staff_client, {"good.md": good_file()}, confirm=False)
    ImportBatch.objects.update(created=ImportBatch.objects.get().created - datetime.timedelta(hours=2))
    response = staff_client.post(reverse(IMPORT_URL), {"token": preview.context["token"]})
    assert "has expired" in response.content.decode()
    assert not Briefing.objects.exists()


def test_every_problem_in_every_file_is_reported_at_once(staff_client, media):
    CourseFactory(slug="neglect-basics")
    first = (
        "---\ntitle: T\nkind: podcast\nsummary: S.\ncourses: [neglect-basics, gcp3]\n"
        "resources:\n  - title: Poster\n    url: /media/resources/missing.pdf\n---\n## A\nText\n"
    )
    second = "---\ntitle: U\nkind: audit_findings\nsummary: S.\npublished: soon\naudience: pets\n---\n"
    preview, done = import_through_admin(staff_client, {"a.md": first.encode(), "b.md": second.encode()})
    page = preview.content.decode()
    for line in [
        "a.md: kind: unknown value &#x27;podcast&#x27;",
        "a.md: courses: no course with the slug &#x27;gcp3&#x27;",
        "a.md: resources[1].url: /media/resources/missing.pdf is missing",
        "b.md: audience: unknown value &#x27;pets&#x27;",
        "b.md: published: &#x27;soon&#x27; is not a valid date",
    ]:
        assert line in page
    assert done is None and "No file can be imported as it is" in page
    assert not Briefing.objects.exists() and not ImportBatch.objects.exists()


def test_confirm_imports_the_good_files_and_leaves_out_those_with_problems(staff_client):
    preview, done = import_through_admin(staff_client, {"good.md": good_file(), "bad.md": b"no front matter"})
    assert "Confirm: import 1 file" in preview.content.decode()
    assert "bad.md: front matter" in preview.content.decode()
    assert list(Briefing.objects.values_list("slug", flat=True)) == ["uploaded-briefing"]
    assert "bad.md" not in done.content.decode()


def test_a_file_that_no_longer_imports_at_confirm_writes_nothing_from_any_file(staff_client):
    course = CourseFactory(slug="neglect-basics")
    files = {"a.md": good_file("First"), "b.md": good_file("Second", extra="courses: [neglect-basics]\n")}
    preview, _ = import_through_admin(staff_client, files, confirm=False)
    course.delete()
    response = staff_client.post(reverse(IMPORT_URL), {"token": preview.context["token"]})
    page = response.content.decode()
    assert "Nothing was imported" in page and "b.md: courses: no course with the slug" in page
    assert not Briefing.objects.exists()


def test_an_editors_change_to_a_published_briefing_waits_for_approval_after_confirm(editor_client):
    live = BriefingFactory(title="Live one", kind=Briefing.Kind.AUDIT_FINDINGS)
    text = as_file(live).replace(b"Body of part 1.", b"Imported text.")
    preview, _ = import_through_admin(editor_client, {"live.md": text}, confirm=False)
    assert "Waits for approval" in preview.content.decode()
    assert "changes: sections" in preview.content.decode()
    assert not PendingRevision.objects.exists()
    done = editor_client.post(reverse(IMPORT_URL), {"token": preview.context["token"]})
    assert "Waiting for approval" in done.content.decode()
    assert Section.objects.get(briefing=live, position=1).body == "Body of part 1."
    assert PendingRevision.objects.get().object_id == live.pk


def test_the_preview_says_when_someone_elses_change_to_the_briefing_is_already_waiting(client, editor_client):
    live = BriefingFactory(title="Live one", kind=Briefing.Kind.AUDIT_FINDINGS)
    other = Client()
    other.force_login(UserFactory(username="edna", editor=True))
    import_through_admin(other, {"live.md": as_file(live).replace(b"Body of part 1.", b"Edna's text.")})
    assert PendingRevision.objects.get().author.username == "edna"
    text = as_file(live).replace(b"Body of part 1.", b"Eddie's text.")
    preview, done = import_through_admin(editor_client, {"live.md": text})
    page = preview.content.decode()
    assert "live.md: file: edna&#x27;s changes to “Live one” are already waiting for approval" in page
    assert done is None
    assert PendingRevision.objects.get().snapshot["parts"]["briefings.Section"][0]["fields"]["body"] == "Edna's text."


def test_an_editors_new_briefing_is_previewed_and_saved_as_a_draft(editor_client):
    preview, _ = import_through_admin(editor_client, {"good.md": good_file()})
    assert "saved as a draft" in preview.content.decode()
    assert Briefing.objects.get().status == Briefing.Status.DRAFT


def test_import_needs_permission_to_add_and_change(client):
    user = UserFactory(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_briefing"))
    client.force_login(user)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert client.post(reverse(IMPORT_URL), {"files": [SimpleUploadedFile("a.md", good_file())]}).status_code == 403
    assert not Briefing.objects.exists()


def test_the_import_page_speaks_to_staff_not_to_the_command_line(staff_client):
    page = staff_client.get(reverse(IMPORT_URL)).content.decode()
    assert "manage.py" not in page and "export_briefings" not in page
    assert "Export" in page and ".zip" in page and "Confirm" in page


# --- Import: hostile and broken uploads -------------------------------------------------------


def zip_with_name(name):
    info = zipfile.ZipInfo("x.md")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, good_file())
    return buffer.getvalue().replace(b"x.md", name.encode("latin-1").ljust(4, b"_")[:4])


HOSTILE = {
    "parent": (make_zip({"../evil.md": good_file()}), "outside the zip"),
    "absolute": (make_zip({"/etc/evil.md": good_file()}), "outside the zip"),
    "windows": (make_zip({"C:/evil.md": good_file()}), "outside the zip"),
    "nul": (zip_with_name("a\x00.m"), "NUL character"),
    "not markdown": (make_zip({"good.md": good_file(), "run.exe": b"MZ"}), "run.exe: is not a .md file"),
    "nested zip": (make_zip({"inner.zip": make_zip({"a.md": good_file()})}), "inner.zip: is not a .md file"),
    "bomb": (make_zip({f"{n}.md": b"a" * (1024 * 1024) for n in range(25)}), "more than 20 MB"),
    "too many": (make_zip({f"{n}.md": good_file(f"T {n}") for n in range(201)}), "at most 200"),
    "not a zip": (b"PK\x03\x04 this is not really a zip", "is not a zip file that can be opened"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_a_hostile_or_broken_zip_is_refused_whole_with_a_clear_message(staff_client, case):
    raw, message = HOSTILE[case]
    preview, done = import_through_admin(staff_client, {"upload.zip": raw})
    page = preview.content.decode()
    assert "Nothing was imported" in page and message in page
    assert done is None and not Briefing.objects.exists() and not ImportBatch.objects.exists()


def test_a_compressed_member_that_unpacks_past_the_limit_is_stopped_while_reading(staff_client):
    bomb = make_zip({"bomb.md": b"\n" * (50 * 1024 * 1024)})
    assert len(bomb) < 300 * 1024
    preview, _ = import_through_admin(staff_client, {"bomb.zip": bomb})
    page = preview.content.decode()
    assert "bomb.zip/bomb.md: file: is larger than 1 MB" in page
    assert not Briefing.objects.exists()


def test_a_zip_of_good_files_with_a_macs_extras_and_folders_imports(staff_client):
    members = {
        "briefings/": b"",
        "briefings/one.md": good_file("One"),
        "briefings/two.md": good_file("Two"),
        "__MACOSX/briefings/._one.md": b"\x00\x05\x16\x07",
        "briefings/.DS_Store": b"\x00\x00\x00\x01Bud1",
    }
    preview, done = import_through_admin(staff_client, {"export.zip": make_zip(members)})
    assert "export.zip/briefings/one.md" in preview.content.decode()
    assert sorted(Briefing.objects.values_list("slug", flat=True)) == ["one", "two"]


def test_several_md_files_and_a_zip_import_together(staff_client):
    files = {"a.md": good_file("A"), "more.zip": make_zip({"b.md": good_file("B"), "c.md": good_file("C")})}
    import_through_admin(staff_client, files)
    assert sorted(Briefing.objects.values_list("slug", flat=True)) == ["a", "b", "c"]


def test_a_file_that_is_not_utf8_is_reported_and_not_imported(staff_client):
    latin = good_file("Café").decode().encode("latin-1")
    preview, done = import_through_admin(staff_client, {"latin.zip": make_zip({"latin.md": latin})})
    assert "latin.zip/latin.md: file: is not UTF-8 text" in preview.content.decode()
    assert done is None and not Briefing.objects.exists()


def test_an_upload_that_is_neither_md_nor_zip_is_refused(staff_client):
    preview, _ = import_through_admin(staff_client, {"notes.docx": b"PK\x03\x04", "a.md": good_file()})
    assert "notes.docx: is not a .md file or a .zip of .md files" in preview.content.decode()
    assert not Briefing.objects.exists()


def test_too_many_files_in_one_upload_is_a_message_not_an_error_page(staff_client):
    files = {f"{n}.md": good_file(f"T {n}") for n in range(201)}
    preview, _ = import_through_admin(staff_client, files)
    assert "upload: has 201 files; import at most 200 at a time" in preview.content.decode()
    assert not Briefing.objects.exists()


def test_the_staff_request_size_limit_still_applies_to_the_import(staff_client, settings):
    settings.STAFF_REQUEST_BODY_LIMITS = {**settings.STAFF_REQUEST_BODY_LIMITS, "/admin/": 64 * 1024}
    big = good_file() + b"x" * (70 * 1024)
    response = staff_client.post(reverse(IMPORT_URL), {"files": [SimpleUploadedFile("big.md", big)]})
    assert response.status_code == 413
    assert not Briefing.objects.exists() and not ImportBatch.objects.exists()


def test_a_user_keeps_only_a_few_previews_and_old_ones_are_removed(staff_client):
    for n in range(5):
        import_through_admin(staff_client, {"a.md": good_file(f"T {n}")}, confirm=False)
    assert ImportBatch.objects.count() == 3
