from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from .admin_mixins import ReadOnlyAdminMixin, SiteWordsMixin
from .models import PendingRevision, Redirect, SiteSettings
from .redirects import RedirectAdmin

admin.site.register(Redirect, RedirectAdmin)

# People and groups: Django's own pages, with groups and permissions as tick boxes (SiteWordsMixin).
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class PortalUserAdmin(SiteWordsMixin, UserAdmin):
    pass


@admin.register(Group)
class PortalGroupAdmin(SiteWordsMixin, GroupAdmin):
    pass


@admin.register(PendingRevision)
class PendingRevisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A read-only record of changes sent for approval; they are decided on each item's review page."""

    list_display = ["title", "kind", "status", "author", "created", "decided_by", "decided_at", "review"]
    list_filter = ["status", "content_type"]
    list_select_related = ["content_type", "author", "decided_by"]
    search_fields = ["title", "comment"]
    exclude = ["snapshot"]

    @admin.display(description="what")
    def kind(self, obj):
        return f"draft to publish ({obj.content_type.name})" if obj.publish else f"change ({obj.content_type.name})"

    @admin.display(description="review")
    def review(self, obj):
        opts = obj.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_signoff_review", args=[obj.object_id])
        return format_html('<a href="{}">Open</a>', url)


@admin.register(SiteSettings)
class SiteSettingsAdmin(SiteWordsMixin, admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["partnership_name", "contact_email", "updated_at"]}),
        (
            "Names for kinds of briefing",
            {
                "fields": [
                    ("name_seven_minute_briefing", "name_seven_minute_briefing_plural"),
                    ("name_thematic_review", "name_thematic_review_plural"),
                    ("name_audit_findings", "name_audit_findings_plural"),
                ],
                "description": (
                    "If your partnership calls a kind of briefing something else (a “Safer7 briefing”, a “learning "
                    "brief”), give the name for one and for several. Pages, print, feeds, filters, search and alert "
                    "emails use it; search still finds the built-in name and its usual synonyms. Leave both empty "
                    "for the built-in name. Plain words only, up to 60 characters."
                ),
            },
        ),
        (
            "Reader safety",
            {
                "fields": ["emergency_line", "exit_url"],
                "description": (
                    "The emergency line is shown at the top of every page. The quick exit sends readers to the "
                    "destination at once and removes this site's page from the Back button. Choose a neutral, "
                    "everyday site (weather, news), never a search engine or anything about abuse."
                ),
            },
        ),
        (
            "Accessibility statement",
            {
                "fields": ["accessibility_statement", "statement_prepared"],
                "description": (
                    "Write the statement in Markdown, starting at level-2 headings (##). Leave it empty to publish "
                    "the built-in statement, which uses the partnership name and contact email above. Update the "
                    "date whenever the statement is reviewed."
                ),
            },
        ),
        (
            "Privacy notice and team records",
            {
                "fields": ["privacy_notice", "record_retention_months"],
                "description": (
                    "The privacy notice is linked from every form. Write it in Markdown, starting at level-2 headings "
                    "(##), or leave it empty to publish the built-in notice, which states the retention period below. "
                    "If you change the period, say so in your own notice."
                ),
            },
        ),
    ]
    readonly_fields = ["updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # There is only ever one record: go straight to it.
        obj = SiteSettings.load()
        return redirect(reverse("admin:portal_sitesettings_change", args=[obj.pk]))

    def view_on_site(self, obj):
        return reverse("accessibility")
