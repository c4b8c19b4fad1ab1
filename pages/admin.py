from django import forms
from django.contrib import admin
from django.utils.html import format_html

from portal.admin_mixins import PublishableAdmin

from .models import Page


class PageAdminForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = ["title", "slug", "summary", "body", "status", "published", "placement", "position", "link_text"]

    def clean_slug(self):
        # Web addresses are matched exactly: /About/ and /about/ would be two pages to a browser.
        return self.cleaned_data["slug"].lower()


@admin.register(Page)
class PageAdmin(PublishableAdmin):
    form = PageAdminForm
    list_display = ["title", "address", "placement", "position", "status", "published", "updated_at"]
    list_filter = ["status", "placement"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    save_on_top = True
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        ("Publication", {"fields": ["status", "published"]}),
        (
            "Navigation",
            {
                "fields": ["placement", "position", "link_text"],
                "description": "A link to a published page can sit in the header or the footer of every page; "
                "a page in neither is still found by search and by its address.",
            },
        ),
    ]

    @admin.display(description="web address", ordering="slug")
    def address(self, page):
        return format_html('<a href="{}">{}</a>', page.get_absolute_url(), page.get_absolute_url())
