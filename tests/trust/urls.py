"""The site's URLs with a test admin that uses the shared mixins, for briefings (until and besides the real one)."""

from django.contrib import admin
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from briefings.models import Briefing, Section
from portal.admin_mixins import OptimisticLockMixin, PublishControlMixin, RestoreWithPartsMixin
from portal.site.urls import urlpatterns as site_urlpatterns

site = admin.AdminSite(name="admin")


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0


@admin.action(description="Publish selected briefings", permissions=["publish"])
def publish_selected(modeladmin, request, queryset):
    queryset.update(status=Briefing.Status.PUBLISHED)


@admin.action(description="Unpublish selected briefings", permissions=["publish"])
def unpublish_selected(modeladmin, request, queryset):
    queryset.update(status=Briefing.Status.DRAFT)


class BriefingAdmin(RestoreWithPartsMixin, PublishControlMixin, OptimisticLockMixin, SimpleHistoryAdmin):
    publish_field = "status"
    publish_permission = "briefings.publish_briefing"
    inlines = [SectionInline]
    list_display = ["title", "status", "published"]
    list_editable = ["status", "published"]
    actions = [publish_selected, unpublish_selected]
    fields = ["title", "slug", "kind", "summary", "status", "published", "themes"]


site.register(Briefing, BriefingAdmin)

urlpatterns = [path("admin/", site.urls), *[p for p in site_urlpatterns if str(p.pattern) != "admin/"]]
