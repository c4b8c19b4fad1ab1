"""The site's admin plus list editing and queryset.update() actions on sessions and resources.

The real admins change parts one by one; these routes are what a future list column or bulk
action would do, and must move the owner's version all the same.
"""

from django.contrib import admin
from django.urls import path

from briefings.admin import BriefingAdmin, ResourceAdmin
from briefings.models import Briefing, Resource
from portal.site.urls import urlpatterns as site_urlpatterns
from training.admin import CourseAdmin, SessionAdmin
from training.models import Course, Session

site = admin.AdminSite(name="admin")


@admin.action(description="Cancel (one UPDATE)", permissions=["change"])
def cancel_with_update(modeladmin, request, queryset):
    queryset.update(status=Session.Status.CANCELLED)


@admin.action(description="Mark as guidance (one UPDATE)", permissions=["change"])
def guidance_with_update(modeladmin, request, queryset):
    queryset.update(kind=Resource.Kind.GUIDANCE)


class ListEditSessionAdmin(SessionAdmin):
    list_editable = ["status"]
    actions = [*SessionAdmin.actions, cancel_with_update]


class ListEditResourceAdmin(ResourceAdmin):
    list_display = ["title", "kind", "briefing", "url"]
    list_editable = ["url"]
    actions = [guidance_with_update]


site.register(Course, CourseAdmin)
site.register(Session, ListEditSessionAdmin)
site.register(Briefing, BriefingAdmin)
site.register(Resource, ListEditResourceAdmin)

urlpatterns = [path("admin/", site.urls), *[p for p in site_urlpatterns if str(p.pattern) != "admin/"]]
