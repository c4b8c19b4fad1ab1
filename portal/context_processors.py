from django.core.signals import setting_changed
from django.templatetags.static import static
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
    "staying-safe", "feed-briefings", "training:whats-on",
]  # fmt: skip
_site_urls = {}


def site_urls():
    prefix = get_script_prefix()
    if prefix not in _site_urls:
        _site_urls[prefix] = {name.replace(":", "_").replace("-", "_"): reverse(name) for name in SITE_URL_NAMES}
    return _site_urls[prefix]


# The static files every page links to, as `site_static.<name>` ("." and "/" become "_"): their
# hashed names are fixed for the life of the process, and looking them up cost a cold page more
# than any other tag in the base template.
SITE_STATIC_FILES = ["css/site.css", "css/print.css", "js/site.js", "img/favicon.svg"]
_site_static = {}


def site_static():
    prefix = get_script_prefix()
    if prefix not in _site_static:
        _site_static[prefix] = {name.replace("/", "_").replace(".", "_"): static(name) for name in SITE_STATIC_FILES}
    return _site_static[prefix]


def _settings_changed(setting, **kwargs):
    if setting in {"STATIC_URL", "STORAGES", "STATICFILES_STORAGE"}:
        _site_static.clear()


setting_changed.connect(_settings_changed)


def site(request):
    """Site settings, the site's own addresses and the reader's contrast choice for the shared template."""
    return {
        "site": site_settings(request),
        "site_urls": site_urls(),
        "site_static": site_static(),
        "contrast": contrast_choice(request),
    }
