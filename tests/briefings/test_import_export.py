import datetime
import json
from pathlib import Path

import pytest
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from briefings.importer import FIELDS, import_file, parse_sections
from briefings.models import Briefing, DiscussionQuestion, KeyFact, Resource, Section, Theme
from tests.factories import BriefingFactory, CourseFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "briefings"

GOOD = """---
title: Neglect – learning from “serious” case reviews
kind: seven_minute_briefing
summary: 'Why neglect is missed: £0 cost, café, Zoë’s team.'
themes: [Child neglect, Émile’s theme]
audience: children
publisher: Example Safeguarding Children Partnership
based_on: national review
published: 2024-05-01
last_reviewed: '2024-06-01'
review_due: 2025-05-01
status: published
key_facts:
  - figure: 60%
    text: of serious case reviews feature neglect
    source: NSPCC
questions:
  - What is daily life like for this child?
  - Are there signs of disguised compliance?
resources:
  - title: Neglect toolkit
    url: https://example.org/toolkit
    kind: toolkit
    description: Tools – and templates
courses: [child-neglect]
---
Some words before any heading.

## 1. Background
Markdown with a table:

| a | b |
|---|---|
| 1 | 2 |

## 2. Why it matters

```
## not a heading inside a fence
```

## What to do
- one
- two
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def snapshot():
    """Everything an import writes, without the keys and timestamps that a rewrite may change."""
    rows = []
    for model in [Briefing, Section, DiscussionQuestion, KeyFact, Resource, Theme]:
        for item in json.loads(serializers.serialize("json", model.objects.all())):
            fields = {k: v for k, v in item["fields"].items() if k not in {"created_at", "updated_at", "briefing"}}
            rows.append((item["model"], item["pk"], json.dumps(fields, sort_keys=True)))
    return sorted(rows)


@pytest.fixture
def courses(db):
    return [CourseFactory(slug="child-neglect"), CourseFactory(slug="graded-care-profile-2")]


def test_import_creates_briefing_with_every_part(tmp_path, courses):
    call_command("import_briefings", str(write(tmp_path, "a.md", GOOD)), verbosity=0)
    briefing = Briefing.objects.get()
    assert briefing.slug == "neglect-learning-from-serious-case-reviews"
    assert briefing.title == "Neglect – learning from “serious” case reviews"
    assert briefing.summary == "Why neglect is missed: £0 cost, café, Zoë’s team."
    assert briefing.based_on == Briefing.BasedOn.NATIONAL_REVIEW
    assert briefing.published == datetime.date(2024, 5, 1)
    assert briefing.last_reviewed == datetime.date(2024, 6, 1)
    assert sorted(t.name for t in briefing.themes.all()) == ["Child neglect", "Émile’s theme"]
    assert [c.slug for c in briefing.courses.all()] == ["child-neglect"]
    sections = list(briefing.sections.all())
    assert [(s.position, s.heading) for s in sections] == [
        (1, "Introduction"),
        (2, "Background"),
        (3, "Why it matters"),
        (4, "What to do"),
    ]
    assert sections[0].body == "Some words before any heading."
    assert "| 1 | 2 |" in sections[1].body
    assert "## not a heading inside a fence" in sections[2].body
    assert [q.text for q in briefing.questions.all()] == [
        "What is daily life like for this child?",
        "Are there signs of disguised compliance?",
    ]
    fact = briefing.key_facts.get()
    assert (fact.figure, fact.text, fact.source) == ("60%", "of serious case reviews feature neglect", "NSPCC")
    resource = briefing.resources.get()
    assert (resource.title, resource.url, resource.kind) == (
        "Neglect toolkit",
        "https://example.org/toolkit",
        "toolkit",
    )


def test_import_export_import_changes_nothing_and_export_is_stable(tmp_path, courses):
    source = tmp_path / "in"
    source.mkdir()
    write(source, "a.md", GOOD)
    write(
        source,
        "b.md",
        GOOD.replace("title: Neglect", "title: Second neglect").replace("status: published", "status: draft"),
    )
    call_command("import_briefings", str(source), verbosity=0)
    before = snapshot()
    call_command("export_briefings", str(tmp_path / "out1"), verbosity=0)
    call_command("import_briefings", str(tmp_path / "out1"), verbosity=0)
    assert snapshot() == before
    call_command("export_briefings", str(tmp_path / "out2"), verbosity=0)
    first = {p.name: p.read_bytes() for p in (tmp_path / "out1").iterdir()}
    second = {p.name: p.read_bytes() for p in (tmp_path / "out2").iterdir()}
    assert first == second and len(first) == 2
    text = first["neglect-learning-from-serious-case-reviews.md"].decode("utf-8")
    assert "“serious”" in text and "£0" in text and "Émile’s theme" in text and "–" in text


def test_reimporting_an_unchanged_file_writes_no_history(tmp_path, courses):
    path = write(tmp_path, "a.md", GOOD)
    call_command("import_briefings", str(path), verbosity=0)
    history = Briefing.history.count() + Section.history.count()
    result = import_file("a.md", path.read_bytes())
    assert result.action == "unchanged"
    assert Briefing.history.count() + Section.history.count() == history


def test_import_of_existing_slug_updates_in_place_and_replaces_parts(tmp_path, courses):
    call_command("import_briefings", str(write(tmp_path, "a.md", GOOD)), verbosity=0)
    briefing = Briefing.objects.get()
    changed = GOOD.replace("## 2. Why it matters", "## 2. Why it really matters").replace(
        "  - Are there signs of disguised compliance?\n", ""
    )
    call_command("import_briefings", str(write(tmp_path, "a.md", changed)), verbosity=0)
    updated = Briefing.objects.get()
    assert updated.pk == briefing.pk
    assert updated.version > briefing.version
    assert "Why it really matters" in [s.heading for s in updated.sections.all()]
    assert updated.sections.count() == 4
    assert updated.questions.count() == 1


def test_fixture_files_round_trip_byte_for_byte(tmp_path):
    for slug in [
        "child-abuse-and-neglect-elearning",
        "child-neglect",
        "understanding-adolescent-neglect",
        "graded-care-profile-2",
        "introduction-to-childhood-adversity-and-trauma-informed-practice",
        "trauma-informed-practice",
    ]:
        CourseFactory(slug=slug)
    call_command("import_briefings", str(FIXTURES), verbosity=0)
    call_command("export_briefings", str(tmp_path), verbosity=0)
    for path in FIXTURES.glob("*.md"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_uploaded_file_resource_exports_as_its_path_and_imports_back(tmp_path, settings, courses):
    settings.MEDIA_ROOT = tmp_path / "media"
    briefing = BriefingFactory(slug="with-file")
    resource = Resource(briefing=briefing, title="Poster", kind="poster", position=1)
    resource.file.save("poster.pdf", ContentFile(b"%PDF-1.4"), save=True)
    call_command("export_briefings", str(tmp_path / "out"), verbosity=0)
    text = (tmp_path / "out" / "with-file.md").read_text()
    assert f"url: {resource.file.url}" in text
    before = snapshot()
    call_command("import_briefings", str(tmp_path / "out"), verbosity=0)
    assert snapshot() == before
    assert Resource.objects.get(title="Poster").file.name == resource.file.name


def test_crlf_and_bom_files_import(tmp_path, courses):
    path = write(tmp_path, "a.md", GOOD.replace("\n", "\r\n"), encoding="utf-8-sig")
    call_command("import_briefings", str(path), verbosity=0)
    assert Briefing.objects.get().sections.count() == 4


def test_slug_is_derived_from_title_and_dates_may_be_written_as_text(tmp_path, courses):
    text = (
        "---\ntitle: Café neglect briefing\nkind: Audit findings\nsummary: S.\n"
        "published: 1 May 2024\nstatus: draft\n---\n"
    )
    call_command("import_briefings", str(write(tmp_path, "a.md", text)), verbosity=0)
    briefing = Briefing.objects.get()
    assert briefing.slug == "cafe-neglect-briefing"
    assert briefing.kind == Briefing.Kind.AUDIT_FINDINGS
    assert briefing.published == datetime.date(2024, 5, 1)
    assert briefing.sections.count() == 0


BAD_FILES = {
    "missing-title.md": ("---\nkind: audit_findings\n---\n## A\n", "title"),
    "empty-title.md": ("---\ntitle: ''\nkind: audit_findings\n---\n", "title"),
    "unknown-kind.md": ("---\ntitle: T\nkind: podcast\n---\n", "kind"),
    "missing-kind.md": ("---\ntitle: T\n---\n", "kind"),
    "invalid-date.md": ("---\ntitle: T\nkind: audit_findings\npublished: 2024-13-45\n---\n", "published"),
    "word-date.md": ("---\ntitle: T\nkind: audit_findings\nreview_due: soon\n---\n", "review_due"),
    "broken-yaml.md": ("---\ntitle: [unclosed\nkind: audit_findings\n---\n", "YAML"),
    "tab-yaml.md": ("---\ntitle: T\n\tkind: x\n---\n", "YAML"),
    "unknown-course.md": ("---\ntitle: T\nkind: audit_findings\ncourses: [no-such-course]\n---\n", "courses"),
    "no-front-matter.md": ("## Just a heading\nText\n", "front matter"),
    "unclosed-front-matter.md": ("---\ntitle: T\nkind: audit_findings\n", "front matter"),
    "list-front-matter.md": ("---\n- a\n- b\n---\n", "front matter"),
    "title-is-list.md": ("---\ntitle: [a, b]\nkind: audit_findings\n---\n", "title"),
    "title-is-bool.md": ("---\ntitle: yes\nkind: audit_findings\n---\n", "title"),
    "themes-not-list.md": ("---\ntitle: T\nkind: audit_findings\nthemes: {a: 1}\n---\n", "themes"),
    "fact-not-mapping.md": ("---\ntitle: T\nkind: audit_findings\nkey_facts: [60%]\n---\n", "key_facts[1]"),
    "fact-without-text.md": (
        "---\ntitle: T\nkind: audit_findings\nkey_facts:\n  - figure: 1\n---\n",
        "key_facts[1].text",
    ),
    "resource-js-link.md": (
        "---\ntitle: T\nkind: audit_findings\nresources:\n  - title: x\n    url: javascript:alert(1)\n---\n",
        "resources[1].url",
    ),
    "resource-no-url.md": ("---\ntitle: T\nkind: audit_findings\nresources:\n  - title: x\n---\n", "resources[1].url"),
    "unknown-field.md": ("---\ntitle: T\nkind: audit_findings\nreveiw_due: 2024-01-01\n---\n", "reveiw_due"),
    "published-without-date.md": ("---\ntitle: T\nkind: audit_findings\nstatus: published\n---\n", "published"),
    "missing-summary.md": ("---\ntitle: T\nkind: audit_findings\n---\n", "summary"),
    "title-too-long.md": ("---\ntitle: " + "x" * 300 + "\nkind: audit_findings\n---\n", "title"),
    "bad-slug.md": ("---\ntitle: T\nslug: not a slug!\nkind: audit_findings\n---\n", "slug"),
    "python-tag.md": ("---\ntitle: !!python/object/apply:os.system [echo hi]\nkind: audit_findings\n---\n", "YAML"),
    "heading-too-long.md": (
        "---\ntitle: T\nsummary: S\nkind: audit_findings\n---\n## " + "h" * 250 + "\n",
        "sections[1].heading",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_rejected_naming_file_and_field_and_writes_nothing(tmp_path, courses, name):
    text, field = BAD_FILES[name]
    result = import_file(name, text.encode("utf-8"))
    assert not result.ok
    assert result.error.startswith(f"{name}: ")
    assert field in result.error
    assert Briefing.objects.count() == 0
    assert Theme.objects.count() == 0


def test_not_utf8_file_is_rejected(tmp_path):
    result = import_file("latin.md", "---\ntitle: Café\nkind: audit_findings\n---\n".encode("latin-1"))
    assert not result.ok and "latin.md" in result.error and "UTF-8" in result.error


def test_a_bad_file_writes_nothing_even_after_creating_themes(tmp_path, courses):
    text = GOOD.replace("courses: [child-neglect]", "courses: [child-neglect, missing-course]")
    result = import_file("a.md", text.encode())
    assert "missing-course" in result.error
    assert Theme.objects.count() == 0 and Briefing.objects.count() == 0


def test_command_imports_good_files_and_exits_non_zero_for_bad_ones(tmp_path, courses, capsys):
    write(tmp_path, "1-good.md", GOOD)
    write(tmp_path, "2-bad.md", BAD_FILES["unknown-kind.md"][0])
    with pytest.raises(CommandError, match="1 of 2 files were not imported"):
        call_command("import_briefings", str(tmp_path))
    assert Briefing.objects.count() == 1
    assert "2-bad.md: kind: unknown value 'podcast'" in capsys.readouterr().err


def test_command_with_no_files_fails(tmp_path):
    with pytest.raises(CommandError, match="No .md files"):
        call_command("import_briefings", str(tmp_path))


def test_unreadable_path_is_reported(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_briefings", str(tmp_path / "missing.md"))
    assert "missing.md: cannot be read" in capsys.readouterr().err


def test_import_without_publish_permission_saves_new_as_draft_and_keeps_existing_status(courses):
    result = import_file("a.md", GOOD.encode(), can_publish=False)
    assert result.ok
    briefing = Briefing.objects.get()
    assert briefing.status == Briefing.Status.DRAFT
    briefing.status = Briefing.Status.PUBLISHED
    briefing.save()
    draft_file = GOOD.replace("status: published", "status: draft").replace("## What to do", "## What to do next")
    assert import_file("a.md", draft_file.encode(), can_publish=False).ok
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED
    assert briefing.sections.filter(heading="What to do next").exists()


def test_parse_sections_keeps_deeper_headings_inside_sections():
    sections = parse_sections("## 3) Good practice\n\n### Sharing\nText\n\n## Next steps ##\n- a\n")
    assert [(s["number"], s["heading"]) for s in sections] == [(3, "Good practice"), (None, "Next steps")]
    assert sections[0]["body"] == "### Sharing\nText"


def test_theme_names_match_existing_themes_case_insensitively(courses):
    Theme.objects.create(name="Child neglect", slug="child-neglect")
    import_file("a.md", GOOD.replace("[Child neglect,", "[child NEGLECT,").encode())
    assert Theme.objects.filter(name__iexact="child neglect").count() == 1


def test_a_ratio_or_a_time_in_the_front_matter_stays_as_written(courses):
    text = GOOD.replace("figure: 60%", "figure: 1:10").replace("source: NSPCC", "source: 9:30")
    result = import_file("a.md", text.encode())
    assert result.ok, result.error
    fact = KeyFact.objects.get()
    assert (fact.figure, fact.source) == ("1:10", "9:30")


def test_every_problem_of_a_file_is_reported_at_once_each_naming_its_field(courses):
    text = (
        "---\ntitle: T\nkind: podcast\nsummary: S.\nreveiw_due: 2024-01-01\npublished: soon\n"
        "courses: [child-neglect, no-such-course]\n"
        "key_facts:\n  - figure: 60%\n  - figure: 1 in 3\n    text: of reviews\n    colour: red\n"
        "resources:\n  - title: Toolkit\n    url: ../toolkit.pdf\n  - url: https://example.org/x\n"
        "questions: ['', 'Why?']\n---\n## A\nText\n"
    )
    result = import_file("a.md", text.encode())
    assert not result.ok
    assert result.error.split("\n") == [
        "a.md: reveiw_due: unknown field; the fields are " + ", ".join(FIELDS),
        "a.md: kind: unknown value 'podcast'; use one of thematic_review, seven_minute_briefing, audit_findings",
        "a.md: published: 'soon' is not a valid date (write it as YYYY-MM-DD, e.g. 2024-05-01)",
        "a.md: key_facts[1].text: is required",
        "a.md: key_facts[2]: unknown field 'colour'; the fields are figure, text, source",
        "a.md: questions[1]: is required",
        "a.md: resources[1].url: '../toolkit.pdf' is a relative link; use the full web address starting with "
        "https://, or upload the file in the admin (uploaded files start with /media/)",
        "a.md: resources[2].title: is required",
        "a.md: courses: no course with the slug 'no-such-course'",
    ]
    assert Briefing.objects.count() == 0 and Theme.objects.count() == 0


def test_the_front_matter_and_the_body_are_reported_together(courses):
    deep = "\n".join("  " * level + "- item" for level in range(40))
    result = import_file("a.md", f"---\ntitle: T\nkind: podcast\nsummary: S.\n---\n## Deep\n{deep}\n".encode())
    lines = result.error.split("\n")
    assert [line.split(":")[1].strip() for line in lines] == ["kind", "sections[1].body (Deep)"]


def test_every_problem_the_models_find_is_reported_at_once(courses):
    long_heading, long_figure = "h" * 250, "9" * 50
    text = (
        f"---\ntitle: T\nkind: audit_findings\nsummary: S.\nkey_facts:\n  - figure: '{long_figure}'\n"
        f"    text: of reviews\n---\n## {long_heading}\nText\n## {long_heading}\nMore\n"
    )
    result = import_file("a.md", text.encode())
    fields = [line.split(": ")[1] for line in result.error.split("\n")]
    assert fields == ["key_facts[1].figure", "sections[1].heading", "sections[2].heading"]
    assert Briefing.objects.count() == 0


def test_the_command_prints_every_problem_of_a_bad_file(tmp_path, courses, capsys):
    write(tmp_path, "bad.md", "---\ntitle: T\nkind: podcast\nsummary: S.\ncourses: [nope]\n---\n")
    with pytest.raises(CommandError):
        call_command("import_briefings", str(tmp_path))
    err = capsys.readouterr().err
    assert "bad.md: kind: unknown value 'podcast'" in err
    assert "bad.md: courses: no course with the slug 'nope'" in err
