from django.urls import get_script_prefix, reverse

from .models import SiteSettings

CONTRAST_COOKIE = "contrast"
CONTRAST_CHOICES = {"high", "standard"}


def contrast_choice(request):
    """The reader's contrast choice from its cookie: "high", "standard" or "" (none made)."""
    value = request.COOKIES.get(CONTRAST_COOKIE, "")
    return value if value in CONTRAST_CHOICES else ""


def site_settings(request):
    """The site settings, loaded once per request."""
    if not hasattr(request, "_site_settings"):
        request._site_settings = SiteSettings.cached()
    return request._site_settings


# The addresses in every page's header, footer and <head>, as `site_urls.<name>` in templates
# (":" and "-" in a URL name become "_"). Reversed once per script prefix, not on every page.
SITE_URL_NAMES = [
    "home", "briefings:list", "training:list", "briefings:themes", "search", "contrast", "accessibility",
    "staying-safe", "feed-briefings",
]  # fmt: skip
_site_urls = {}


def site_urls():
    prefix = get_script_prefix()
    if prefix not in _site_urls:
        _site_urls[prefix] = {name.replace(":", "_").replace("-", "_"): reverse(name) for name in SITE_URL_NAMES}
    return _site_urls[prefix]


def site(request):
    """Site settings, the site's own addresses and the reader's contrast choice for the shared template."""
    return {"site": site_settings(request), "site_urls": site_urls(), "contrast": contrast_choice(request)}
