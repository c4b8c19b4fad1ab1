"""A briefing page with every cache off: the site's markup kept by each worker is never stale or another reader's."""

import datetime
import traceback

import pytest
from csp.decorators import csp_update
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.http import HttpResponse
from django.template import defaulttags
from django.template.defaultfilters import date as date_filter
from django.test import Client, RequestFactory
from django.utils import timezone

from portal.middleware import CSPMiddleware
from portal.models import SiteSettings
from portal.templatetags.portal_tags import iso_date, long_date
from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db
URL = "/briefings/lived-experience/"


@pytest.fixture(autouse=True)
def caches_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.SEARCH_CACHE_SECONDS = 0


@pytest.fixture
def briefing():
    return BriefingFactory(title="Neglect and the lived experience of the child", slug="lived-experience", sections=2)


def page(client, url=URL, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_a_site_settings_edit_shows_at_once_in_the_header_emergency_line_and_footer(client, briefing):
    before = page(client)
    site = SiteSettings.load()
    assert f'<a class="site-name" href="/">{site.partnership_name}</a>' in before
    site.partnership_name = "Northshire Safeguarding Children Partnership"
    site.emergency_line = "Worried about a child? Call 0345 155 1071."
    site.exit_url = "https://www.example.org/weather"
    site.save()
    after = page(client)
    assert '<a class="site-name" href="/">Northshire Safeguarding Children Partnership</a>' in after
    assert "<p>Published by Northshire Safeguarding Children Partnership.</p>" in after
    assert '<a href="tel:03451551071" class="tel">0345 155 1071</a>' in after
    assert 'data-exit-url="https://www.example.org/weather"' in after
    assert before.count(site.partnership_name) == 0


def test_the_navigation_marks_the_page_it_is_on(client, briefing):
    current = ' aria-current="page">'
    assert f'<a href="/briefings/"{current}Briefings</a>' in page(client, URL)
    training = page(client, "/training/")
    assert f'<a href="/training/"{current}Training</a>' in training
    assert f'<a href="/briefings/"{current}' not in training
    themes = page(client, "/themes/")
    assert f'<a href="/themes/"{current}Themes</a>' in themes
    assert f'<a href="/briefings/"{current}' not in themes
    assert f'<a href="/briefings/"{current}Briefings</a>' in page(client, URL)


def test_the_contrast_choice_and_the_return_address_are_each_requests_own(client, briefing):
    client.cookies["contrast"] = "high"
    high = page(client, URL + "?from=home")
    assert '<html lang="en-GB" class="high-contrast ">' in high
    assert 'aria-pressed="true"' in high
    assert 'name="next" value="/briefings/lived-experience/?from=home"' in high
    del client.cookies["contrast"]
    plain = page(client, URL + "?from=list&amp=1")
    assert '<html lang="en-GB" class="">' in plain
    assert 'aria-pressed="false"' in plain
    assert 'name="next" value="/briefings/lived-experience/?from=list&amp;amp=1"' in plain


def test_what_staff_see_never_reaches_a_reader(staff_client, briefing):
    staff = page(staff_client)
    assert "Edit this briefing" in staff
    reader = page(Client())
    assert "Edit this briefing" not in reader
    assert "/admin/" not in reader


def test_the_print_date_and_the_public_briefings_follow_the_day(client, briefing, monkeypatch):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    scheduled = BriefingFactory(slug="scheduled", published=tomorrow)
    assert f'<time class="print-date" datetime="{today:%Y-%m-%d}">' in page(client)
    assert client.get(scheduled.get_absolute_url()).status_code == 404

    class Tomorrow(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.now(tz) + datetime.timedelta(days=1)

    monkeypatch.setattr(defaulttags, "datetime", Tomorrow)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert f'<time class="print-date" datetime="{tomorrow:%Y-%m-%d}">' in page(client)
    assert client.get(scheduled.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "value",
    [datetime.date(2026, 1, 5), datetime.date(2024, 2, 29), datetime.date(987, 12, 31), datetime.date(2026, 9, 30),
     datetime.datetime(2026, 3, 1, 23, 30), None, ""],
)  # fmt: skip
def test_the_briefing_page_date_filters_write_what_the_date_filter_writes(value):
    assert long_date(value) == date_filter(value, "j F Y")
    assert iso_date(value) == date_filter(value, "Y-m-d")


def test_the_site_policy_is_django_csps_with_each_responses_own_nonce(rf):
    middleware = CSPMiddleware(lambda request: HttpResponse())
    nonces = []
    for _ in range(2):
        request = rf.get("/")
        middleware.process_request(request)
        nonce = str(request.csp_nonce)
        response = middleware.process_response(request, HttpResponse())
        assert response["Content-Security-Policy"] == build_policy(nonce=nonce)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    request = rf.get("/")
    middleware.process_request(request)
    response = middleware.process_response(request, HttpResponse())
    assert response["Content-Security-Policy"] == build_policy()
    assert "nonce-" not in response["Content-Security-Policy"]
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)  # asked for too late to be in the header


def test_a_views_own_policy_still_comes_from_django_csp():
    @csp_update({"img-src": ["https://maps.example.org"]})
    def view(request):
        return HttpResponse()

    request = RequestFactory().get("/")
    middleware = CSPMiddleware(view)
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))
    assert "img-src 'self' https://maps.example.org" in response["Content-Security-Policy"]


def test_a_base_templates_blocks_are_found_once_and_still_filled_by_each_page(monkeypatch):
    from django.template import Context, Engine

    from portal.templatetags import chrome

    templates = {
        "base.html": "{% load chrome %}{% layout %}<h1>{% block title %}Site{% endblock %}</h1>"
        "{% if on %}<main>{% block content %}{% endblock %}</main>{% endif %}{% endlayout %}",
        "page.html": '{% extends "base.html" %}{% block title %}{{ title }}{% endblock %}'
        "{% block content %}<p>{{ text }}</p>{% endblock %}",
    }
    engine = Engine(
        # Compiled once and kept, as in production (the cached loader).
        loaders=[("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", templates)])],
        libraries={"chrome": "portal.templatetags.chrome"},
    )
    walks = []
    real = chrome.template.Node.get_nodes_by_type
    monkeypatch.setattr(
        chrome.template.Node, "get_nodes_by_type", lambda self, t: walks.append(type(self).__name__) or real(self, t)
    )
    page = engine.get_template("page.html")
    first = page.render(Context({"title": "One & two", "text": "<b>", "on": True}))
    second = page.render(Context({"title": "Three", "text": "four", "on": True}))
    assert first == "<h1>One &amp; two</h1><main><p>&lt;b&gt;</p></main>"
    assert second == "<h1>Three</h1><main><p>four</p></main>"
    assert page.render(Context({"title": "Five", "on": False})) == "<h1>Five</h1>"
    assert {"LayoutNode", "BlockNode", "IfNode"} <= set(walks)  # the first render walked the layout for its blocks
    walks.clear()
    page.render(Context({"title": "Six", "on": True}))
    assert set(walks) == {"LoadNode"}  # since then, only the node before the layout


def test_a_request_works_out_the_day_once(client, briefing, monkeypatch):
    days = []
    real = timezone.localdate

    def counting(*args, **kwargs):
        if not args and not kwargs:
            days.append("".join(traceback.format_stack(limit=9)))
        return real(*args, **kwargs)

    page(client)  # the first page of the day also builds the day's queries
    monkeypatch.setattr(timezone, "localdate", counting)
    page(client)
    assert len(days) == 1, "\n".join(days)
    from portal.cache import today

    assert today() == real()  # outside a request, worked out each time
    assert len(days) == 2
