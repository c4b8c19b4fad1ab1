"""Reader safety and accessibility: contrast switch, quick exit markup, emergency line, statement."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from portal.models import SiteSettings
from portal.templatetags.portal_tags import markdown, phone_links
from tests.conftest import INLINE_SCRIPT

STATEMENT_HEADINGS = [
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website",
    "Compliance status",
    "Non-accessible content",
    "improve accessibility",
    "Preparation of this accessibility statement",
]


def html_class(body):
    return re.search(r'<html lang="en-GB" class="([^"]*)"', body).group(1).split()


# --- Contrast -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_contrast_toggle_turns_high_contrast_on_and_returns_to_the_same_page(client):
    response = client.post(reverse("contrast"), {"next": "/training/?format=virtual"})
    assert response.status_code == 302
    assert response["Location"] == "/training/?format=virtual"
    cookie = response.cookies["contrast"]
    assert cookie.value == "high"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60


@pytest.mark.django_db
def test_contrast_toggle_turns_high_contrast_off_again(client):
    client.cookies["contrast"] = "high"
    response = client.post(reverse("contrast"), {"next": "/"})
    assert response.cookies["contrast"].value == "standard"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "relative/path",
        "/ok\r\nSet-Cookie: x=1",
        "",
        "/" + "a" * 3000,
    ],
)
def test_contrast_toggle_refuses_to_send_the_reader_anywhere_but_this_site(client, target):
    response = client.post(reverse("contrast"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_contrast_toggle_only_accepts_post(client):
    assert client.get(reverse("contrast")).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
    ],
)
def test_contrast_toggle_refuses_posts_from_other_sites(client, headers):
    response = client.post(reverse("contrast"), {"next": "/"}, **headers)
    assert response.status_code == 403
    assert "contrast" not in response.cookies


@pytest.mark.django_db
def test_contrast_toggle_accepts_posts_from_this_site(client):
    response = client.post(
        reverse("contrast"), {"next": "/"}, HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 302
    assert response.cookies["contrast"].value == "high"


@pytest.mark.django_db
def test_pages_carry_no_per_reader_token_so_they_can_be_cached(client):
    response = client.get(reverse("staying-safe"))
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cookie", "expected_class", "pressed"),
    [
        ("high", ["high-contrast"], "true"),
        ("standard", ["standard-contrast"], "false"),
        ("<script>", [], "false"),
        (None, [], "false"),
    ],
)
def test_page_is_rendered_in_the_chosen_contrast_on_first_paint(client, cookie, expected_class, pressed):
    if cookie is not None:
        client.cookies["contrast"] = cookie
    body = client.get(reverse("accessibility")).content.decode()
    assert html_class(body) == expected_class
    assert f'aria-pressed="{pressed}">Toggle contrast</button>' in body
    assert "<script>" not in body


@pytest.mark.django_db
def test_contrast_form_sends_back_the_current_address_escaped(client):
    body = client.get("/search/?q=%22%3E%3Cb%3E").content.decode()
    form = re.search(r'<form class="contrast-form"[^>]*>.*?</form>', body, re.S).group(0)
    assert 'action="/contrast/"' in form
    assert 'method="post"' in form
    assert 'name="next" value="/search/?q=%22%3E%3Cb%3E"' in form


# --- Quick exit and shared parts --------------------------------------------------------------


@pytest.mark.django_db
def test_exit_button_is_a_plain_link_to_the_configured_site(client):
    site = SiteSettings.load()
    site.exit_url = "https://www.example.com/weather?x=1&y=2"
    site.save()
    body = client.get(reverse("home")).content.decode()
    link = re.search(r'<a href="([^"]+)" id="exit-this-page"([^>]*)>', body)
    assert link.group(1) == "https://www.example.com/weather?x=1&amp;y=2"
    assert 'rel="nofollow noreferrer"' in link.group(2)
    assert 'href="#exit-this-page"' in body  # the skip link to it
    assert 'role="status"' in body and 'id="exit-this-page-status"' in body
    assert re.search(r'<script src="[^"]*js/site\.js" defer></script>', body)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "accessibility", "staying-safe", "search"])
def test_safety_pages_have_no_inline_script_style_or_event_handler(client, name):
    body = client.get(reverse(name)).content.decode()
    assert not INLINE_SCRIPT.search(body)
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"\son[a-z]+=", body)


@pytest.mark.django_db
def test_emergency_line_comes_from_site_settings_with_tap_to_call_numbers(client):
    site = SiteSettings.load()
    site.emergency_line = "Worried about a child? Call 0345 155 1071 (or <b>999</b> in an emergency)."
    site.save()
    body = client.get(reverse("briefings:list")).content.decode()
    line = re.search(r'<aside class="emergency-line"[^>]*>.*?</aside>', body, re.S).group(0)
    assert '<a href="tel:03451551071" class="tel">0345 155 1071</a>' in line
    assert '<a href="tel:999" class="tel">999</a>' in line
    assert "&lt;b&gt;" in line and "<b>" not in line


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("0345 155 1071", "tel:03451551071"),
        ("0300 123 4567", "tel:03001234567"),
        ("01632 960000", "tel:01632960000"),
        ("(01632) 960 000", "tel:01632960000"),
        ("020 7946 0000", "tel:02079460000"),
        ("07700 900123", "tel:07700900123"),
        ("999", "tel:999"),
        ("111", "tel:111"),
        ("116 123", "tel:116123"),
        ("+44 345 155 1071", "tel:+443451551071"),
        ("+44 (0)20 7946 0000", "tel:+442079460000"),
        ("0800 1111", "tel:08001111"),
        ("0808 800 5000", "tel:08088005000"),
    ],
)
def test_phone_links_link_uk_numbers_as_written(text, href):
    html = str(phone_links(f"Call {text}, any time."))
    assert html == f'Call <a href="{href}" class="tel">{text}</a>, any time.'


@pytest.mark.parametrize(
    "text",
    [
        "In 2024 we reviewed 12 cases.",
        "It cost £2,000 and £1,999.",
        "Published 01/02/2024 and 2024-05-01.",
        "Meet at 10:30 or 09:30.",
        "Score 0.999 or 9999 or 1111.",
        "01onal",
        "Reference 0300 and 0123 45.",
        "A 12 345 678 figure.",
    ],
)
def test_phone_links_leave_years_sums_dates_and_times_alone(text):
    assert "<a " not in str(phone_links(text))


def test_phone_links_escape_everything_else():
    html = str(phone_links('<script>alert("x")</script> & call 999'))
    assert html == '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; call <a href="tel:999" class="tel">999</a>'


def test_markdown_tables_scroll_inside_their_own_box():
    html = str(markdown("| Age | Cases |\n|---|---|\n| 0-1 | 12 |\n\nAfter."))
    assert html.startswith('<div class="table-wrap"><table>')
    assert "</table></div>" in html


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staying_safe_page_explains_private_browsing_history_and_who_to_call(client):
    body = client.get(reverse("staying-safe")).content.decode()
    for text in [
        "Incognito",
        "InPrivate",
        "private window",
        "Clear your history",
        "does not delete your history",
        "Shared or monitored devices",
        'href="tel:999"',
        'href="tel:08001111"',
    ]:
        assert text in body, text


@pytest.mark.django_db
def test_accessibility_page_uses_the_built_in_statement_when_none_is_written(client):
    site = SiteSettings.load()
    site.partnership_name = "Northmoor Safeguarding Children Partnership"
    site.contact_email = "access@northmoor.example"
    site.statement_prepared = datetime.date(2026, 3, 4)
    site.save()
    body = client.get(reverse("accessibility")).content.decode()
    for heading in STATEMENT_HEADINGS:
        assert re.search(rf"<h[23]>[^<]*{re.escape(heading)}", body), heading
    assert "Northmoor Safeguarding Children Partnership" in body
    assert 'href="mailto:access@northmoor.example"' in body
    assert "WCAG) version 2.2" in body
    assert "Equality Advisory and Support Service" in body
    assert "prepared on 4 March 2026" in body


@pytest.mark.django_db
def test_accessibility_page_shows_the_statement_written_in_admin(client):
    site = SiteSettings.load()
    site.accessibility_statement = (
        "# Sneaky second h1\n\n## Our statement\n\nWe test with <b>NVDA</b>.<script>x</script>"
    )
    site.statement_prepared = datetime.date(2026, 1, 15)
    site.save()
    body = client.get(reverse("accessibility")).content.decode()
    assert "<h2>Our statement</h2>" in body
    assert "How accessible this website is" not in body
    assert body.count("<h1") == 1
    assert "<script>x" not in body
    assert 'datetime="2026-01-15">15 January 2026</time>' in body


@pytest.mark.django_db
def test_demo_site_settings_fixture_has_a_full_statement_and_emergency_line():
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "site.json"), verbosity=0)
    site = SiteSettings.objects.get(pk=1)
    for heading in STATEMENT_HEADINGS:
        assert heading in site.accessibility_statement, heading
    assert site.statement_prepared is not None
    assert "999" in site.emergency_line
    assert site.exit_url.startswith("https://")


# --- Admin ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_site_settings_admin_opens_the_one_record(staff_client):
    response = staff_client.get(reverse("admin:portal_sitesettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:portal_sitesettings_change", args=[1])
    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "quick exit destination" in body.lower()
    assert "Accessibility statement" in body


@pytest.mark.django_db
def test_site_settings_admin_saves_a_new_exit_site_and_refuses_a_script_address(staff_client):
    SiteSettings.load()
    url = reverse("admin:portal_sitesettings_change", args=[1])
    data = {
        "partnership_name": "Example Partnership",
        "contact_email": "a@example.org",
        "emergency_line": "Call 999.",
        "exit_url": "javascript:alert(1)",
        "accessibility_statement": "",
        "statement_prepared": "",
        "privacy_notice": "",
        "record_retention_months": "24",
    }
    assert staff_client.post(url, data).status_code == 200  # form shown again with an error
    assert SiteSettings.load().exit_url == "https://www.bbc.co.uk/weather"
    data["exit_url"] = "https://www.example.com/"
    assert staff_client.post(url, data).status_code == 302
    assert SiteSettings.load().exit_url == "https://www.example.com/"


@pytest.mark.django_db
def test_site_settings_cannot_be_added_twice_or_deleted(staff_client):
    SiteSettings.load()
    assert staff_client.get(reverse("admin:portal_sitesettings_add")).status_code == 403
    assert staff_client.get(reverse("admin:portal_sitesettings_delete", args=[1])).status_code == 403


@pytest.mark.django_db
def test_contrast_toggle_works_for_a_reader_served_a_cached_page(settings):
    """The page cache serves one copy to everyone, so the form must not carry a per-reader token."""
    from django.core.cache import caches
    from django.test import Client

    settings.PAGE_CACHE_SECONDS = 600
    caches["default"].clear()
    earlier = Client()
    earlier.get(reverse("staying-safe"))
    earlier.get(reverse("staying-safe"))  # a returning reader's copy is now in the cache
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(reverse("staying-safe"))
    assert page.has_header("ETag")  # served from the cache
    response = reader.post(reverse("contrast"), {"next": "/staying-safe-online/"}, HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 302
    assert response.cookies["contrast"].value == "high"
