from .models import SiteSettings


def site(request):
    """Site settings for the shared template; loaded once per request."""
    if not hasattr(request, "_site_settings"):
        request._site_settings = SiteSettings.load()
    return {"site": request._site_settings}
