"""Tidying pasted text, and odd query strings on the briefing and training pages."""

import pytest
from django.core.management import call_command

from briefings.forms import SectionForm
from briefings.importer import parse_sections, render_briefing
from briefings.templatetags.briefing_tags import inline_markdown
from portal.markdown import render_markdown
from portal.text import tidy_markdown


def test_word_bullets_after_a_paragraph_become_a_list():
    html = render_markdown(tidy_markdown("Signs include:\n•\thunger\n• tiredness"))
    assert "<ul>" in html and "<li>hunger</li>" in html and "<li>tiredness</li>" in html


def test_two_space_nested_lists_stay_nested():
    html = render_markdown(tidy_markdown("- a\n  - a1\n    - a1x\n- b"))
    assert html.count("<ul>") == 3


def test_a_table_straight_after_a_paragraph_is_a_table():
    assert "<table>" in render_markdown(tidy_markdown("Numbers:\n| a | b |\n|---|---|\n| 1 | 2 |"))


def test_fenced_code_is_left_alone():
    text = "```\n• not a bullet\n  - not nested\n```"
    assert tidy_markdown(text) == text


def test_invisible_characters_and_windows_line_endings_go():
    assert tidy_markdown("neg\u00adlect\u200b \r\nnext\ufeff  ") == "neglect\nnext"


def test_questions_are_inline_markdown_but_never_lists_or_headings():
    assert inline_markdown("1. What **now**?") == "1. What <strong>now</strong>?"
    assert inline_markdown("# Not a heading") == "# Not a heading"
    # A line starting with <script> is raw HTML in CommonMark: the script goes and the rest stays as text.
    assert inline_markdown("<script>x</script>[a](javascript:alert(1))") == "[a](javascript:alert(1))"
    assert inline_markdown("Read [a](javascript:alert(1))") == 'Read <a rel="noopener noreferrer">a</a>'


def test_an_unnumbered_heading_that_looks_numbered_survives_export_and_import():
    data = {"sections": [{"heading": "10 things to know", "body": "x"}]}
    text = render_briefing({**data, "title": "T", "kind": "audit_findings"})
    body = text.split("---\n", 2)[2]
    assert parse_sections(body) == [{"number": None, "heading": "10 things to know", "body": "x"}]


def test_admin_section_form_tidies_pasted_text_and_refuses_absurd_nesting():
    form = SectionForm(data={"position": 1, "heading": "Back\u00adground\u00a0 ", "body": "Signs:\n• hunger"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["heading"] == "Background"
    assert form.cleaned_data["body"] == "Signs:\n\n- hunger"
    deep = "\n".join("    " * i + "- x" for i in range(30))
    form = SectionForm(data={"position": 1, "heading": "H", "body": deep})
    assert not form.is_valid() and "nested more than" in str(form.errors["body"])


ODD_QUERIES = [
    "/briefings/?page=abc", "/briefings/?page=99999999999999999999", "/briefings/?year=99999999999999999999",
    "/briefings/?theme=%3Cscript%3E", "/briefings/?kind=%00", "/briefings/?theme=%00", "/briefings/?year=%00",
    "/briefings/?kind=a&kind=b", "/briefings/?theme=" + "a" * 3000, "/training/?format=%00", "/training/?theme=%00",
    "/training/?audience=%ff", "/training/?theme=" + "a" * 3000, "/briefings/?year=2024.5",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("url", ODD_QUERIES)
def test_odd_query_strings_show_the_page_not_an_error(client, url):
    call_command("load_demo", verbosity=0)
    assert client.get(url).status_code == 200
