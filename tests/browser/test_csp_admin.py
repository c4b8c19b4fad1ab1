"""Under the strict Content Security Policy the admin and the Markdown editor's live preview still work."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

VIOLATION_LOG = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " blocked " + event.blockedURI);
});
"""


def watch(page):
    """Collect CSP violations (events and console), console errors and failed requests of the page."""
    problems = []
    page.add_init_script(VIOLATION_LOG)

    def on_console(message):
        text = message.text
        if text.startswith("Failed to load resource"):
            return  # reported with its address by on_response below
        if message.type == "error" or "Content Security Policy" in text or "Permissions-Policy" in text:
            problems.append(text)

    def on_response(response):
        # The admin has no icon of its own, so the browser asks for /favicon.ico: harmless.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def violations(page):
    return page.evaluate("window.__cspViolations || []")


def log_in(page, live_server):
    UserFactory(username="editor", superuser=True)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


@pytest.mark.django_db(transaction=True)
def test_markdown_editor_live_preview_works_under_the_csp(page, live_server):
    problems = watch(page)
    log_in(page, live_server)
    response = page.goto(live_server.url + "/admin/briefings/briefing/add/?kind=seven_minute_briefing")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy

    editor = page.locator("textarea.markdownx-editor").first
    editor.click()
    editor.press_sequentially("Neglect is **persistent**.\n\n- one\n- two", delay=5)
    preview = page.locator(".markdownx-preview").first
    # The preview follows the typing half a second behind, and may show a part of it first on a busy machine.
    expect(preview.locator("strong")).to_have_text("persistent")
    expect(preview.locator("li")).to_have_count(2)

    # Admin widgets driven by JavaScript still work: add another section inline.
    sections = page.locator(".inline-related:not(.empty-form) textarea.markdownx-editor")
    before = sections.count()
    page.locator("#sections-group .add-row a").click()
    expect(sections).to_have_count(before + 1)

    assert violations(page) == []
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_admin_change_list_history_and_recover_pages_have_no_csp_violations(page, live_server):
    from briefings.models import Briefing

    problems = watch(page)
    log_in(page, live_server)
    briefing = Briefing.objects.create(title="History check", slug="history-check", summary="Short.")
    briefing.title = "History checked"
    briefing.save()
    for path in [
        "/admin/",
        "/admin/briefings/briefing/",
        f"/admin/briefings/briefing/{briefing.pk}/change/",
        f"/admin/briefings/briefing/{briefing.pk}/history/",
        "/admin/training/course/add/",
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_public_pages_have_no_csp_violations_or_console_errors(page, live_server, demo_content):
    from briefings.models import Briefing
    from training.models import Course

    problems = watch(page)
    briefing = Briefing.objects.published().first()
    course = Course.objects.published().first()
    paths = ["/", "/briefings/", briefing.get_absolute_url(), "/training/", course.get_absolute_url()]
    paths += ["/search/?q=neglect", "/themes/", "/accessibility/", "/staying-safe-online/", "/no-such-page/"]
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path
    assert [p for p in problems if not p.endswith("/no-such-page/")] == []


@pytest.mark.django_db(transaction=True)
def test_our_own_form_posts_pass_the_csrf_origin_check_in_a_real_browser(page, live_server):
    """Public pages send no Referer at all; their one form (contrast) must still work in a real browser."""
    problems = watch(page)
    page.goto(live_server.url + "/briefings/")
    with page.expect_response(lambda response: response.url.endswith("/contrast/")) as posted:
        page.locator(".contrast-toggle").first.click()
    assert posted.value.status == 302
    page.wait_for_load_state("networkidle")
    assert page.url == live_server.url + "/briefings/"
    assert problems == []
