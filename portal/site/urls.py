from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from markdownx.views import MarkdownifyView

from portal import formatting, media, privacy, views
from portal.site import views as site_views
from portal.site.feeds import BriefingFeed, ThemeFeed
from portal.site.sitemaps import SITEMAPS
from portal.uploads import CheckedImageUploadView

admin.site.site_header = "Neglect learning portal: staff editing"
admin.site.site_title = "Portal admin"
admin.site.index_title = "Content"

urlpatterns = [
    path("", site_views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("staying-safe-online/", views.staying_safe, name="staying-safe"),
    path("privacy/", privacy.privacy_notice, name="privacy"),
    path("search/", site_views.search, name="search"),
    path("feeds/briefings/", BriefingFeed(), name="feed-briefings"),
    path("feeds/themes/<slug:slug>/", ThemeFeed(), name="feed-theme"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("contrast/", views.toggle_contrast, name="contrast"),
    # markdownx's own views are open to anyone; only staff may preview or upload.
    path("markdownx/markdownify/", staff_member_required(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    # Uploaded images are checked by content (portal/uploads.py), not by the browser's word for them.
    path("markdownx/upload/", staff_member_required(CheckedImageUploadView.as_view()), name="markdownx_upload"),
    # Uploaded files in every deployment, with or without DEBUG (portal/media.py).
    path("media/<path:path>", media.serve, name="media"),
    # Staff only, beside the admin: how to write Markdown here, with examples made by the real renderer.
    path("admin/formatting-help/", formatting.formatting_help, name="formatting-help"),
    path("admin/", admin.site.urls),
    path("", include("learning.urls")),
    path("", include("briefings.urls")),
    path("training/", include("training.urls")),
    path("alerts/", include("alerts.urls")),
    # Last: a partnership page answers at /<slug>/ only where no route above does (pages/routes.py).
    path("", include("pages.urls")),
]

handler400 = "portal.middleware.bad_request"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
