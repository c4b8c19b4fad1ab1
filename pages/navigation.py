"""The partnership pages linked from the header and footer, read once per content change, not once per page."""

from dataclasses import dataclass

from django.urls import get_script_prefix
from django.utils.functional import cached_property

from portal.cache import generation, today

from .models import Page


@dataclass(frozen=True)
class NavLink:
    text: str
    url: str


# (stamp, links) kept in the worker's memory, as SiteSettings.cached() keeps the settings: the stamp holds
# the page cache's generation, which every save or delete of a page moves on (pages.apps), the day, so a
# page published for tomorrow appears tomorrow, and the script prefix the addresses were made under.
_kept = [None, None]


def links():
    """{"header": [NavLink], "footer": [NavLink]}: the published pages in each place, in their order."""
    stamp = (generation(), today(), get_script_prefix())
    kept_stamp, found = _kept
    if found is None or kept_stamp != stamp:
        found = {Page.Placement.HEADER.value: [], Page.Placement.FOOTER.value: []}
        rows = (
            Page.objects.published()
            .exclude(placement=Page.Placement.NONE)
            .order_by("position", "title", "pk")
            .values_list("placement", "link_text", "title", "slug")
        )
        for placement, link_text, title, slug in rows:
            if placement in found:
                found[placement].append(NavLink(link_text or title, Page(slug=slug).get_absolute_url()))
        _kept[:] = [stamp, found]
    return found


class Navigation:
    """`page_nav.header` and `page_nav.footer` in templates: looked up only when a template asks."""

    @cached_property
    def _links(self):
        return links()

    @property
    def header(self):
        return self._links[Page.Placement.HEADER]

    @property
    def footer(self):
        return self._links[Page.Placement.FOOTER]


def navigation(request):
    """Context processor: the partnership pages for the header and footer of the shared template."""
    return {"page_nav": Navigation()}
