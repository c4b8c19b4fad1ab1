"""Every public page has exactly one <h1> (as djangoproject.com checks)."""

import re

import pytest
from django.urls import reverse

H1 = re.compile(r"<h1[\s>]")


def public_urls():
    from briefings.models import Briefing, Theme
    from pages.models import Page
    from training.models import Course

    urls = [
        reverse(name)
        for name in [
            "home",
            "accessibility",
            "privacy",
            "staying-safe",
            "search",
            "briefings:list",
            "briefings:themes",
            "training:list",
        ]
    ]
    urls.append(reverse("search") + "?q=neglect")
    urls.append("/no-such-page/")
    urls += [b.get_absolute_url() for b in Briefing.objects.published()]
    urls += [reverse("briefings:present", args=[b.slug]) for b in Briefing.objects.published()]
    urls += [t.get_absolute_url() for t in Theme.objects.all()]
    urls += [c.get_absolute_url() for c in Course.objects.published()]
    urls += [p.get_absolute_url() for p in Page.objects.published()]
    return urls


@pytest.mark.django_db
def test_every_public_page_has_exactly_one_h1(client, demo_content):
    urls = public_urls()
    assert len(urls) >= 9
    for url in urls:
        body = client.get(url).content.decode()
        assert len(H1.findall(body)) == 1, url
