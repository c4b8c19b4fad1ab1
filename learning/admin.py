from django.contrib import admin
from django.utils.text import Truncator

from .models import UsefulnessVote


@admin.register(UsefulnessVote)
class UsefulnessVoteAdmin(admin.ModelAdmin):
    """Readers' answers, read-only: staff may delete one (a comment that names someone), never edit it."""

    list_display = ["created_at", "page", "useful", "short_comment"]
    list_filter = [
        "useful",
        ("briefing", admin.RelatedOnlyFieldListFilter),
        ("course", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["briefing", "course"]
    search_fields = ["comment"]
    date_hierarchy = "created_at"
    fields = ["created_at", "briefing", "course", "useful", "comment"]
    readonly_fields = fields

    @admin.display(description="page")
    def page(self, vote):
        return vote.briefing or vote.course

    @admin.display(description="comment")
    def short_comment(self, vote):
        return Truncator(vote.comment).chars(80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
