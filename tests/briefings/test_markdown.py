"""Briefing text is Markdown from staff and imported files: it must never carry script into a page."""

import re
from html.parser import HTMLParser

import pytest

from portal.markdown import render_markdown
from tests.factories import BriefingFactory

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<a href="#" onclick="alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="vbscript:msgbox(1)">x</a>',
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;top:0">overlay</div>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name="password"></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>body{display:none}</style>",
    '<base href="https://evil.example/">',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)//",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://ok.example" target="_blank" onmouseover="alert(1)">ok</a>',
    "<details open ontoggle=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '[a](https://ok.example "title" onclick=alert(1))',
]

SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)
BANNED_TAGS = {"script", "iframe", "svg", "object", "embed", "form", "input", "meta", "link", "style", "base", "math"}


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in BANNED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            scheme = SCHEME.match(value or "")
            if name in {"href", "src"} and scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                self.problems.append(f"{tag}[{name}={value}]")


def dangers(html):
    """Real tags and attributes that could run script or restyle the page (escaped text is harmless)."""
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector.problems


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_neutralised(text):
    html = render_markdown(text)
    assert dangers(html) == [], html


def test_broken_html_is_closed_and_harmless():
    html = render_markdown("<p><strong>unclosed <em>tags <div><table><tr><td>cell")
    assert dangers(html) == []
    assert html.count("<strong>") == html.count("</strong>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("| a | b |\n|---|---|\n| 1 | 2 |", ["<table>", "<th>a</th>", "<td>2</td>"]),
        ("- one\n- two", ["<ul>", "<li>one</li>"]),
        ("1. first\n2. second", ["<ol>", "<li>first</li>"]),
        ("[NSPCC](https://example.org/learning)", ['href="https://example.org/learning"', 'rel="noopener noreferrer"']),
        ("[email](mailto:learning@example.org)", ['href="mailto:learning@example.org"']),
        ("*emphasis* and **strong**", ["<em>emphasis</em>", "<strong>strong</strong>"]),
        ("> A quoted finding", ["<blockquote>", "A quoted finding"]),
        ("### Sub-heading", ["<h3>Sub-heading</h3>"]),
        ("\u201ccurly\u201d \u2013 \u00a3100, Zo\u00eb", ["\u201ccurly\u201d \u2013 \u00a3100, Zo\u00eb"]),
    ],
)
def test_useful_markdown_survives(text, expected):
    html = render_markdown(text)
    for fragment in expected:
        assert fragment in html


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE[:8])
def test_hostile_section_body_is_neutralised_on_the_public_page(client, text):
    briefing = BriefingFactory()
    briefing.sections.create(position=1, heading="Section", body=text)
    body = client.get(briefing.get_absolute_url()).content.decode()
    section = body[
        body.index('class="briefing-section"') : body.index("</section>", body.index('class="briefing-section"'))
    ]
    assert dangers(section) == [], section


@pytest.mark.django_db
def test_heading_and_question_text_are_escaped(client):
    briefing = BriefingFactory()
    briefing.sections.create(position=1, heading="<script>alert(1)</script>")
    briefing.questions.create(position=1, text='<img src=x onerror="alert(1)">')
    body = client.get(briefing.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body
