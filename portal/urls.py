from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from django.views.static import serve
from markdownx.views import ImageUploadView, MarkdownifyView

from portal import views

admin.site.site_header = "Neglect learning portal: staff editing"
admin.site.site_title = "Portal admin"
admin.site.index_title = "Content"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("staying-safe-online/", views.staying_safe, name="staying-safe"),
    path("search/", views.search, name="search"),
    # markdownx's own views are open to anyone; only staff may preview or upload.
    path("markdownx/markdownify/", staff_member_required(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    path("markdownx/upload/", staff_member_required(ImageUploadView.as_view()), name="markdownx_upload"),
    path("admin/", admin.site.urls),
    path("", include("briefings.urls")),
    path("training/", include("training.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
