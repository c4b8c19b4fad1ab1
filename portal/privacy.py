"""The privacy notice every form links to: staff write it in site settings, or the built-in one is shown."""

from django.shortcuts import render
from django.template import loader

from portal.context_processors import site_settings


def privacy_notice(request):
    site = site_settings(request)
    custom = bool(site.privacy_notice.strip())
    notice = "" if custom else loader.render_to_string("portal/privacy_notice.md", {"site": site}, request)
    return render(request, "portal/privacy.html", {"notice": notice, "custom": custom})
