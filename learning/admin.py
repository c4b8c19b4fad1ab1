from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import Truncator

from . import report
from .models import Agency, FollowUp, ReachReport, TeamRecord, UsefulnessVote

REPORT_PERMISSION = "learning.view_reach_report"


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["name"]


class FollowUpInline(admin.StackedInline):
    model = FollowUp
    fields = ["status", "sent_at", "expires_at", "answered_at", "answer"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TeamRecord)
class TeamRecordAdmin(admin.ModelAdmin):
    """Records come from teams through the public form; staff read them and may delete one, never write one."""

    list_display = ["briefing_title", "met_on", "team", "agency", "attendees", "created_at"]
    list_filter = ["agency", "met_on"]
    list_select_related = ["agency"]
    search_fields = ["briefing_title", "team"]
    date_hierarchy = "met_on"
    readonly_fields = ["briefing", "briefing_title", "met_on", "team", "agency", "attendees", "changes", "email",
                       "created_at", "erased_at"]  # fmt: skip
    fields = readonly_fields
    inlines = [FollowUpInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReachReport)
class ReachReportAdmin(admin.ModelAdmin):
    """The report in place of a list: for the learning lead (the permission; publishers have it)."""

    def has_module_permission(self, request):
        return request.user.has_perm(REPORT_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(REPORT_PERMISSION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.report_view), name="learning_reachreport_changelist")]

    def report_view(self, request):
        if not request.user.has_perm(REPORT_PERMISSION):
            raise PermissionDenied
        filters = report.ReportFilter(request.GET)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Reach and impact report",
            "filters": filters,
        }
        if not filters.is_valid():
            return TemplateResponse(request, "admin/learning/reach_report.html", context, status=400)
        data = report.build(*filters.period())
        name = f"reach-report-{data['start']:%Y-%m-%d}-to-{data['end']:%Y-%m-%d}"
        download = request.GET.get("format")
        if download == "csv":
            # Streamed: the changes reported are read from the database and sent a row at a time.
            response = StreamingHttpResponse(report.as_csv(data), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if download == "xlsx":
            response = HttpResponse(
                report.as_xlsx(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        query = request.GET.copy()
        query.pop("format", None)
        context.update(
            report=data,
            charts=report.charts(data),
            briefings=data["briefings"][: report.BRIEFINGS_SHOWN],
            briefings_shown=report.BRIEFINGS_SHOWN,
            changes=list(data["changes"][: report.CHANGES_SHOWN]),
            changes_count=data["total"].follow_ups,
            changes_shown=report.CHANGES_SHOWN,
            query=query.urlencode(),
        )
        return TemplateResponse(request, "admin/learning/reach_report.html", context)


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
