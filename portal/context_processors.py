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


def site(request):
    """Site settings and the reader's contrast choice for the shared template."""
    return {"site": site_settings(request), "contrast": contrast_choice(request)}
