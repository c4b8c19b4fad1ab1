"""Real-world and hostile import files (tests/robustness/corpus/) through import, every page and the PDF."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from briefings.importer import import_file, parse_briefing, parse_sections
from briefings.models import Briefing, Section, Theme
from briefings.templatetags.briefing_tags import inline_markdown
from tests.conftest import import_through_admin

from .helpers import (
    BAD,
    CORPUS,
    GOOD,
    HOSTILE,
    Elements,
    as_md_files,
    final_sentence,
    hostile_markup,
    html_text,
    md_name,
    pdf_pages,
    squash,
)

pytestmark = pytest.mark.django_db

# Each bad file, and what its message must say besides the file's name.
BAD_MESSAGES = {
    "bad-binary.md": "not a text file",
    "bad-data-resource.md": "resources[1].url",
    "bad-deep-nesting.md": "nested more than",
    "bad-front-matter-empty.md": "front matter: is empty",
    "bad-front-matter-list.md": "front matter: expected fields",
    "bad-invalid-date.md": "published: '30/02/2024' is not a valid date",
    "bad-invalid-utf8.md": "not UTF-8",
    "bad-javascript-resource.md": "resources[1].url",
    "bad-mailto-resource.md": "resources[1].url: 'mailto:learning@example.org' is an email address",
    "bad-nested-yaml.md": "nested too deeply",
    "bad-no-closing-front-matter.md": "no closing '---'",
    "bad-relative-resource.md": "resources[1].url: '../documents/neglect-strategy.pdf' is a relative link",
    "bad-tab-indented.md": "not tabs",
    "bad-unquoted-bold-question.md": "must be put in quotes",
    "bad-word-document.md": "not a text file",
    "bad-yaml-bomb.md": "alias, which is not allowed",
}


def import_corpus(*paths):
    call_command("import_briefings", *map(str, paths), verbosity=0)


def sections_of(path):
    return parse_briefing(path.read_bytes())["sections"]


@pytest.fixture
def imported(db):
    import_corpus(*GOOD)
    return {path.name: Briefing.objects.get(slug=parse_briefing(path.read_bytes())["slug"]) for path in GOOD}


def test_corpus_is_big_enough_to_mean_something():
    assert len(GOOD) >= 12 and len(HOSTILE) >= 1 and len(BAD) >= 12
    assert set(BAD_MESSAGES) == {md_name(path) for path in BAD}


def test_every_good_file_imports_with_all_its_sections(imported):
    for path in GOOD:
        briefing = imported[path.name]
        expected = [s["heading"] for s in sections_of(path)]
        assert [s.heading for s in briefing.sections.all()] == expected, path.name


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_file_shows_every_heading_and_final_sentence_on_every_page(client, imported, path):
    briefing = imported[path.name]
    detail = client.get(briefing.get_absolute_url())
    assert detail.status_code == 200
    text = squash(html_text(detail.content.decode()))
    assert squash(briefing.title) in text
    for section in briefing.sections.all():
        assert squash(section.heading) in text, section.heading
        assert squash(final_sentence(section.body)) in text, (section.heading, final_sentence(section.body))
    pack = client.get(reverse("briefings:team-pack", args=[briefing.slug]))
    assert pack.status_code == 200
    pack_text = squash(html_text(pack.content.decode()))
    for section in briefing.sections.all():
        assert squash(final_sentence(section.body)) in pack_text
    for question in briefing.questions.all():
        assert squash(html_text(inline_markdown(question.text))) in pack_text
    for theme in briefing.themes.all():
        page = client.get(theme.get_absolute_url())
        assert page.status_code == 200
        assert squash(briefing.title) in squash(html_text(page.content.decode()))


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_file_pdf_has_every_heading_and_final_sentence(client, imported, path):
    briefing = imported[path.name]
    response = client.get(reverse("briefings:pdf", args=[briefing.slug]))
    assert response.status_code == 200
    text = squash(" ".join(pdf_pages(response.content)))
    for section in briefing.sections.all():
        assert squash(section.heading) in text, section.heading
        assert squash(final_sentence(section.body)) in text, final_sentence(section.body)


def test_list_pages_with_the_whole_corpus_never_fail(client, imported):
    for url in ["/briefings/", "/briefings/?page=2", "/themes/", "/briefings/?kind=audit_findings&year=2024"]:
        response = client.get(url)
        assert response.status_code == 200, url
    listed = squash(html_text(client.get("/briefings/").content.decode()))
    assert squash("Disguised compliance in seven minutes") in listed


def test_seven_minute_panels_are_numbered_by_their_order_numbered_in_the_file_or_not(client, imported):
    for name, numbers in [
        ("seven-minute-five-sections.md", [1, 2, 3, 4, 5]),
        ("seven-minute-unnumbered.md", [1, 2, 3, 4, 5]),
        ("seven-minute-odd-numbers.md", [1, 2, 3, 4, 5, 6, 7]),
    ]:
        briefing = imported[name]
        html = client.get(briefing.get_absolute_url()).content.decode()
        tags = Elements(html).tags
        panels = [attrs for tag, attrs in tags if "seven-minute-grid__item" in attrs.get("class", "")]
        assert len(panels) == briefing.sections.count(), name
        shown = re.findall(r'<span class="section-number">(\d+)</span>', html)
        assert shown == [str(n) for n in numbers], name
        # No empty panel: every section has a heading and text.
        assert all(s.heading and s.body.strip() for s in briefing.sections.all()), name


def test_numbers_written_in_different_ways_are_recognised():
    sections = parse_sections((CORPUS / "good" / "seven-minute-odd-numbers.md").read_text().split("---\n", 2)[2])
    assert [(s["number"], s["heading"]) for s in sections] == [
        (1, "Background"),
        (2, "Why it matters"),
        (3, "Who is most at risk"),
        (4, "Information"),
        (5, "Information"),
        (6, "Questions"),
        (7, "What to do"),
    ]


def test_a_title_repeated_as_a_first_level_heading_is_dropped_and_deeper_headings_kept(imported):
    briefing = imported["audit-h3-structure.md"]
    sections = list(briefing.sections.all())
    assert [s.heading for s in sections] == [
        "Introduction",
        "Good practice",
        "Key learning",
        "Improving practice",
        "Next steps",
    ]
    assert briefing.title not in sections[0].body
    assert "### Using the tools" in sections[1].body
    # "####" straight under a section becomes "###": headings never skip a level on the page.
    assert sections[2].body.startswith("### Chronologies")


def test_word_paste_is_tidied(imported, client):
    briefing = imported["word-paste.md"]
    bodies = "\n".join(s.body for s in briefing.sections.all())
    for invisible in ["\u00ad", "\u200b", "\ufeff", "\r", "•"]:
        assert invisible not in bodies and invisible not in briefing.title
    assert "transport" in bodies
    assert briefing.key_facts.get().figure == "1 in 5"
    html = client.get(briefing.get_absolute_url()).content.decode()
    # The Word bullets became a real list.
    assert "<li>letters were sent to the parent and the case was closed</li>" in html
    assert briefing.sections.all()[0].heading == "Background"


def test_table_and_long_nested_lists_render_as_table_and_nested_lists(imported, client):
    briefing = imported["thematic-review-table-long-lists.md"]
    html = client.get(briefing.get_absolute_url()).content.decode()
    tags = [tag for tag, _ in Elements(html).tags]
    assert tags.count("table") == 1 and tags.count("th") == 3
    found = briefing.sections.get(heading="What we found")
    section_html = html[html.index("What we found</h2>") :]
    assert section_html.count("<li>") >= 30
    assert "<ul>" in section_html[section_html.index("<li>Health") :][:200]
    assert "    - Health finding 1" in found.body


def test_optional_fields_single_string_themes_and_odd_dates(imported):
    import datetime

    briefing = imported["odd-dates-optional-fields.md"]
    assert briefing.published == datetime.date(2024, 5, 1)
    assert briefing.last_reviewed == datetime.date(2024, 6, 1)
    assert briefing.review_due == datetime.date(2025, 5, 1)
    assert sorted(t.name for t in briefing.themes.all()) == ["Child neglect", "Domestic abuse"]
    assert briefing.kind == Briefing.Kind.SEVEN_MINUTE_BRIEFING
    assert briefing.resources.get().url == "https://www.example.org/guides/domestic-abuse-neglect"
    assert not briefing.courses.exists()
    assert [f.figure for f in briefing.key_facts.all()] == ["1 in 5", "2.4"]
    unnumbered = imported["seven-minute-odd-numbers.md"].questions.all()
    assert [q.text[:7] for q in unnumbered] == ["How do ", "Who see"]


def test_questions_with_markdown_are_rendered_not_shown_as_asterisks(imported, client):
    briefing = imported["odd-dates-optional-fields.md"]
    html = client.get(briefing.get_absolute_url()).content.decode()
    assert "<strong>What</strong> does the child say" in html
    assert "<em>non-abusing</em>" in html
    assert "**What**" not in html


def test_welsh_accents_and_emoji_survive(imported, client):
    briefing = imported["welsh-emoji-places.md"]
    assert "Ynys Môn" in briefing.title and "🌿" in briefing.title
    assert Theme.objects.filter(name="Gofal plant: ŵyr ac wyrion", slug="gofal-plant-wyr-ac-wyrion").exists()
    html = client.get(briefing.get_absolute_url()).content.decode()
    assert "Bryn-crûg" in html and "Ynys Môn" in html


def test_resource_links_with_query_fragment_and_welsh_letters_are_kept(imported, client):
    briefing = imported["resources-and-links.md"]
    urls = [r.url for r in briefing.resources.all()]
    assert urls == [
        "https://example.org/tools/neglect-screening?format=pdf&lang=en#page=2",
        "https://example.org/cy/canllaw-esgeulustod-plant-ŵyr",
    ]
    html = client.get(briefing.get_absolute_url()).content.decode()
    hrefs = [attrs.get("href") for tag, attrs in Elements(html).tags if tag == "a"]
    assert urls[0] in hrefs and urls[1] in hrefs
    # mailto: and tel: links inside a section's text are allowed; only resources must be web pages.
    assert "mailto:learning@example.org" in hrefs and "tel:03001234567" in hrefs


def test_long_title_and_words_import_and_wrap(imported, client):
    briefing = imported["long-title-long-words.md"]
    assert len(briefing.title) == 200
    assert len(briefing.slug) <= 200
    assert client.get(briefing.get_absolute_url()).status_code == 200


def test_a_briefing_with_no_sections_still_has_its_pages(imported, client):
    briefing = imported["audit-front-matter-only.md"]
    assert briefing.sections.count() == 0
    for url in [briefing.get_absolute_url(), reverse("briefings:team-pack", args=[briefing.slug])]:
        response = client.get(url)
        assert response.status_code == 200
        assert "72%" in response.content.decode()
    assert client.get(reverse("briefings:pdf", args=[briefing.slug])).status_code == 200


# --- Hostile content ---


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.name)
def test_hostile_markup_is_imported_but_never_reaches_a_page_unescaped(client, path):
    import_corpus(path)
    briefing = Briefing.objects.get()
    urls = [
        briefing.get_absolute_url(),
        reverse("briefings:team-pack", args=[briefing.slug]),
        "/briefings/",
        *(theme.get_absolute_url() for theme in briefing.themes.all()),
        "/themes/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert hostile_markup(html) == [], url
    text = html_text(client.get(briefing.get_absolute_url()).content.decode())
    assert "The first section ends here safely." in text and "The second section ends here safely." in text
    # The title is shown as text: the reader sees the angle brackets, the browser runs nothing.
    assert '<script>alert("title")</script> Neglect briefing' in text
    pdf = client.get(reverse("briefings:pdf", args=[briefing.slug]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_external_images_in_a_body_are_imported_with_a_warning(db):
    path = HOSTILE[0]
    result = import_file(path.name, path.read_bytes())
    assert result.ok
    assert any("tracker.example" in warning for warning in result.warnings)


# --- Bad files ---


@pytest.mark.parametrize("path", BAD, ids=md_name)
def test_bad_file_is_rejected_naming_the_file_and_problem_and_writes_nothing(path):
    name = md_name(path)
    result = import_file(name, path.read_bytes())
    assert not result.ok
    assert result.error.startswith(f"{name}: ")
    assert BAD_MESSAGES[name] in result.error
    assert Briefing.objects.count() == 0 and Theme.objects.count() == 0 and Section.objects.count() == 0


def test_bad_files_through_the_command_are_reported_and_good_ones_imported(capsys, tmp_path):
    with pytest.raises(CommandError, match=f"{len(BAD)} of {len(BAD) + len(GOOD)} files were not imported"):
        import_corpus(*GOOD, *as_md_files(BAD, tmp_path))
    err = capsys.readouterr().err
    for path in BAD:
        assert f"{md_name(path)}: " in err
    assert Briefing.objects.count() == len(GOOD)


def test_a_five_megabyte_file_is_rejected_clearly_by_the_command_and_the_parser(tmp_path, capsys):
    good = (CORPUS / "good" / "seven-minute-five-sections.md").read_text()
    path = tmp_path / "huge.md"
    path.write_text(good + ("A very long section. " * 250_000), encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    with pytest.raises(CommandError):
        import_corpus(path)
    assert "huge.md: file: is larger than 1 MB" in capsys.readouterr().err
    result = import_file("huge.md", path.read_bytes())
    assert not result.ok and "larger than 1 MB" in result.error
    assert Briefing.objects.count() == 0


def test_two_files_with_one_slug_in_one_run_keep_the_first_and_reject_the_second(capsys):
    first, second = CORPUS / "duplicates" / "first.md", CORPUS / "duplicates" / "second.md"
    with pytest.raises(CommandError, match="1 of 2 files"):
        import_corpus(first, second)
    err = capsys.readouterr().err
    assert "second.md: slug: 'neglect-and-poverty' is also the slug of" in err and "first.md" in err
    briefing = Briefing.objects.get()
    assert "first file" in briefing.summary


def test_the_same_file_imported_again_in_a_later_run_still_updates(capsys):
    first = CORPUS / "duplicates" / "first.md"
    import_corpus(first)
    assert import_file("first.md", first.read_bytes()).action == "unchanged"


# --- The admin import page ---


def test_admin_import_page_takes_the_whole_corpus_without_an_error_page(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(md_name(p), p.read_bytes(), "text/markdown") for p in [*GOOD, *BAD, *HOSTILE]]
    files.append(SimpleUploadedFile("huge.md", b"---\n" + b"x" * (5 * 1024 * 1024), "text/markdown"))
    duplicate = (CORPUS / "duplicates" / "second.md").read_bytes()
    files += [SimpleUploadedFile("dup-1.md", duplicate), SimpleUploadedFile("dup-2.md", duplicate)]
    preview, done = import_through_admin(staff_client, files)
    text = html_text(preview.content.decode())
    for path in BAD:
        assert f"will not be imported: {md_name(path)}: " in text, md_name(path)
    assert "will not be imported: huge.md: file: is larger than 1 MB" in text
    assert "will not be imported: dup-2.md: slug:" in text
    assert Briefing.objects.count() == len(GOOD) + len(HOSTILE) + 1
    assert "tracker.example" in text  # the warning about an image on another site is shown
    for html in (preview.content.decode(), done.content.decode()):
        assert hostile_markup(html[html.index("<table>") : html.index("</table>")]) == []


def test_export_then_import_of_the_corpus_changes_nothing(tmp_path, imported):
    from tests.briefings.test_import_export import snapshot

    before = snapshot()
    call_command("export_briefings", str(tmp_path), verbosity=0)
    call_command("import_briefings", str(tmp_path), verbosity=0)
    assert snapshot() == before
    call_command("export_briefings", str(tmp_path / "again"), verbosity=0)
    for path in (tmp_path / "again").iterdir():
        assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name
