"""Hostile input through every Markdown field and through import never runs script in a browser."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import BriefingFactory, CourseFactory, ThemeFactory

PAYLOADS = [
    "<script>window.__pwned = 1; alert(1)</script>",
    '<img src="x" onerror="window.__pwned = 2; alert(2)">',
    "[a javascript link](javascript:window.__pwned=3)",
    "[a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(4)" id="js-link">plain javascript link</a>',
    '<svg onload="window.__pwned = 5"><script>alert(5)</script></svg>',
    '<iframe src="javascript:alert(6)"></iframe><iframe srcdoc="<script>alert(6)</script>"></iframe>',
    '<div style="background:url(javascript:alert(7))">styled</div>',
    '<b onmouseover="alert(8)" id="hover-me">hover here</b>',
    "<<script>script>alert(9)</script>",
    "<p><b>unclosed <i>nesting <table><tr><td>broken",
    "![an image](javascript:alert(10))",
    "![svg image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDExKSIvPg==)",
    '<object data="data:text/html,<script>alert(12)</script>"></object><embed src="javascript:alert(12)">',
    '<math><mi xlink:href="javascript:alert(13)">x</mi></math>',
    '<form action="https://attacker.example/"><button id="evil-button">Go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(14)"><base href="https://attacker.example/">',
    '<details open ontoggle="alert(15)"><summary>toggle</summary>x</details>',
    '<a href="&#106;avascript:alert(16)">entity link</a> <a href="jav&#x09;ascript:alert(17)">tab link</a>',
    "[spaced](  javascript:alert(18) )",
    '<style>body{background:url("javascript:alert(19)")}</style><link rel="stylesheet" href="https://attacker.example/x.css">',
    '"><script>alert(20)</script><input autofocus onfocus="alert(21)">',
    "```html\n<script>alert('shown as code, never run')</script>\n```",
]
HOSTILE = "\n\n".join(PAYLOADS)
HOSTILE_LINE = '"><script>alert(30)</script><img src=x onerror=alert(31)>'

GUARD = """
window.__dialogs = [];
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def hostile_content():
    from briefings.models import FeaturedTheme
    from portal.models import SiteSettings

    today = timezone.localdate()
    theme = ThemeFactory(
        name="Hostile theme " + HOSTILE_LINE[:40], slug="hostile-theme", summary=HOSTILE_LINE, description=HOSTILE
    )
    FeaturedTheme.objects.create(
        theme=theme, starts=today - datetime.timedelta(days=1), ends=today + datetime.timedelta(days=1),
        message=HOSTILE,
    )  # fmt: skip
    briefing = BriefingFactory(
        title="Hostile briefing " + HOSTILE_LINE, slug="hostile-briefing", summary=HOSTILE_LINE,
        published=today - datetime.timedelta(days=1), publisher=HOSTILE_LINE, sample_description=HOSTILE_LINE,
        themes=[theme], sections=[(HOSTILE_LINE, HOSTILE)], questions=[HOSTILE_LINE],
        key_facts=[("60%", HOSTILE_LINE, HOSTILE_LINE)],
    )  # fmt: skip
    course = CourseFactory(
        title="Hostile course " + HOSTILE_LINE[:40], slug="hostile-course", summary=HOSTILE_LINE,
        description=HOSTILE, audience_detail=HOSTILE_LINE, prerequisites_text=HOSTILE_LINE,
        themes=[theme], outcomes=[HOSTILE_LINE],
    )  # fmt: skip
    site = SiteSettings.load()
    site.accessibility_statement = "## Accessibility\n\n" + HOSTILE
    site.save()
    return briefing, theme, course


# What survives in the page's DOM: event-handler attributes, script-capable URLs and elements, inline styles.
DANGEROUS_DOM = """
(() => {
  const found = [];
  for (const el of document.querySelectorAll("main *")) {
    const tag = el.tagName.toLowerCase();
    const ours = tag === "script" && (el.getAttribute("src") || "").startsWith("/static/js/");
    if (!ours && ["script", "iframe", "object", "embed", "base", "meta", "style", "link", "math"].includes(tag)) {
      found.push("<" + tag + ">");
    }
    if (tag === "form" && (el.getAttribute("action") || "").includes("//")) found.push("form to another site");
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      const name = attr.name;
      if (name.startsWith("on") || name === "style" || name === "srcdoc") found.push(tag + " " + name);
      const link = ["href", "src", "action", "data", "xlink:href"].includes(name);
      if (link && /^(javascript|data|vbscript):/.test(value)) {
        found.push(tag + " " + attr.name + "=" + value.slice(0, 30));
      }
    }
  }
  return found;
})()
"""


def visit_and_prove_nothing_ran(page, url):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    # Interact the way a reader might: hover and click what hostile markup hoped to wire up.
    for selector in ["#hover-me", "#js-link", "#evil-button", "summary"]:
        for element in page.locator(f"main {selector}").all():
            element.hover()
    assert dialogs == [], url
    assert page.evaluate("typeof window.__pwned") == "undefined", url
    assert page.evaluate(DANGEROUS_DOM) == [], url
    assert page.evaluate("window.__cspViolations") == [], url


@pytest.mark.django_db(transaction=True)
def test_hostile_markdown_in_every_field_never_runs_script(page, live_server):
    briefing, theme, course = hostile_content()
    page.add_init_script(GUARD)
    for path in [
        "/", "/briefings/", briefing.get_absolute_url(), f"{briefing.get_absolute_url()}team-pack/",
        "/themes/", theme.get_absolute_url(), "/training/", course.get_absolute_url(), "/accessibility/",
        "/search/?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/search/?q=hostile",
    ]:  # fmt: skip
        visit_and_prove_nothing_ran(page, live_server.url + path)
    # The code block survives as visible text: nothing hostile is silently lost from what editors wrote.
    page.goto(live_server.url + briefing.get_absolute_url())
    assert "shown as code, never run" in page.locator("main pre").first.inner_text()


@pytest.mark.django_db(transaction=True)
def test_hostile_markdown_through_import_never_runs_script(page, live_server, tmp_path):
    from briefings.models import Briefing

    (tmp_path / "hostile.md").write_text(
        "---\n"
        "title: Imported hostile briefing\n"
        "slug: imported-hostile\n"
        "kind: seven_minute_briefing\n"
        f"summary: '{HOSTILE_LINE}'\n"
        "status: published\n"
        "published: 2024-05-01\n"
        "questions:\n"
        f"  - '{HOSTILE_LINE}'\n"
        "key_facts:\n"
        f"  - figure: '60%'\n    text: '{HOSTILE_LINE}'\n"
        "---\n"
        f"## 1. Background\n{HOSTILE}\n\n## 2. <script>alert(40)</script> heading\n{HOSTILE}\n"
    )
    call_command("import_briefings", str(tmp_path / "hostile.md"), verbosity=0)
    briefing = Briefing.objects.get(slug="imported-hostile")
    assert briefing.sections.count() == 2
    page.add_init_script(GUARD)
    for path in [briefing.get_absolute_url(), f"{briefing.get_absolute_url()}team-pack/", "/briefings/"]:
        visit_and_prove_nothing_ran(page, live_server.url + path)


@pytest.mark.django_db(transaction=True)
def test_import_refuses_a_javascript_resource_link(tmp_path):
    from django.core.management import CommandError

    from briefings.models import Briefing

    (tmp_path / "bad-link.md").write_text(
        "---\ntitle: Bad link\nkind: audit_findings\nsummary: x\nresources:\n"
        "  - title: Click me\n    url: javascript:alert(1)\n---\n## Key learning\nText.\n"
    )
    with pytest.raises(CommandError):
        call_command("import_briefings", str(tmp_path / "bad-link.md"), verbosity=0)
    assert not Briefing.objects.filter(title="Bad link").exists()
