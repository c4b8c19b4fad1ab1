"""The site's addresses, each reversed once per worker, are what reverse() writes under any prefix or URLconf."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from portal import addresses
from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "args"),
    [("home", ()), ("briefings:list", ()), ("briefings:detail", ("cumulative-harm_2",)),
     ("learning:useful", ("briefing", "a-b")), ("learning:useful", ("course", "x")), ("privacy", ())],
)  # fmt: skip
def test_an_address_is_what_reverse_writes(name, args):
    assert addresses.reverse(name, *args) == reverse(name, args=args)
    assert addresses.reverse(name, *args) == reverse(name, args=args)


def test_an_address_no_route_takes_fails_as_reverse_does():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            addresses.reverse("briefings:detail", "not a slug")
        with pytest.raises(NoReverseMatch):
            addresses.reverse("no-such-page")


def test_an_address_follows_the_script_prefix():
    assert addresses.reverse("briefings:detail", "one") == "/briefings/one/"
    set_script_prefix("/portal/")
    try:
        assert addresses.reverse("briefings:detail", "one") == "/portal/briefings/one/"
        assert BriefingFactory(slug="two").get_absolute_url() == "/portal/briefings/two/"
    finally:
        clear_script_prefix()
    assert addresses.reverse("briefings:detail", "one") == "/briefings/one/"


def test_an_address_follows_a_changed_urlconf():
    assert addresses.reverse("home") == "/"
    with override_settings(ROOT_URLCONF="tests.performance.urls_moved"):
        assert addresses.reverse("home") == "/moved/"
    assert addresses.reverse("home") == "/"


def test_the_address_tag_writes_what_the_url_tag_writes():
    context = Context({"kind": "briefing", "slug": "a-b"})
    url = Template("{% url 'learning:useful' kind slug %}|{% url 'briefings:list' as x %}{{ x }}").render(context)
    address = Template(
        "{% load portal_tags %}{% address 'learning:useful' kind slug %}|{% address 'briefings:list' as x %}{{ x }}"
    ).render(context)
    assert address == url == "/useful/briefing/a-b/|/briefings/"
