from datetime import timedelta

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from briefings.models import Briefing
from portal.admin_mixins import (
    PartLockMixin,
    PublishableAdmin,
    SignOffMixin,
    SiteWordsMixin,
)
from portal.forms import number_in_order

from .forms import CourseAdminForm, LearningOutcomeForm, SessionForm, WebAddressField
from .models import Course, LearningOutcome, Session
from .templatetags.training_tags import session_when

FORMFIELD_OVERRIDES = {
    models.URLField: {"form_class": WebAddressField},
}
# Past sessions stay in the Sessions list; the course page shows only recent and future ones.
RECENT = timedelta(days=30)


class LearningOutcomeInline(SiteWordsMixin, admin.TabularInline):
    model = LearningOutcome
    form = LearningOutcomeForm
    fields = ["position", "text"]
    extra = 3
    ordering = ["position", "pk"]
    verbose_name = "learning outcome"
    verbose_name_plural = "Learning outcomes (“By the end you will be able to…”)"


class SessionInline(SiteWordsMixin, admin.TabularInline):
    model = Session
    form = SessionForm
    formfield_overrides = FORMFIELD_OVERRIDES
    fields = ["starts", "ends", "is_online", "location", "places_total", "places_left", "status", "booking_url", "note"]
    extra = 1
    verbose_name_plural = format_lazy(
        "Sessions (future ones and those in the last {} days; older sessions are in the Sessions list)", RECENT.days
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ends__gte=timezone.now() - RECENT)


class BriefingLinkInline(SiteWordsMixin, admin.TabularInline):
    """The briefings this course is linked to, edited from the course as well as from the briefing."""

    model = Briefing.courses.through
    fields = ["briefing", "briefing_status"]
    readonly_fields = ["briefing_status"]
    extra = 0
    verbose_name = "linked briefing"
    verbose_name_plural = "Linked briefings (pages that show “Training linked to this learning”)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("briefing")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "briefing":
            kwargs["queryset"] = Briefing.objects.order_by("title")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="status")
    def briefing_status(self, link):
        if not link.pk:
            return "-"
        briefing = link.briefing
        label = "Published" if briefing.is_published else briefing.get_status_display()
        try:
            url, text = reverse("admin:briefings_briefing_change", args=[briefing.pk]), "edit the briefing"
        except NoReverseMatch:
            url, text = briefing.get_absolute_url(), "see the briefing"
        return format_html('{} · <a href="{}">{}</a>', label, url, text)


class UpcomingSessionFilter(admin.SimpleListFilter):
    title = "upcoming sessions"
    parameter_name = "upcoming"

    def lookups(self, request, model_admin):
        return [("yes", "Has upcoming sessions"), ("none", "No upcoming session")]

    def queryset(self, request, queryset):
        has_upcoming = Exists(Session.objects.upcoming(published=False).filter(course=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(has_upcoming)
        if self.value() == "none":
            return queryset.exclude(has_upcoming)
        return queryset


class SessionTimeFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming"), ("past", "Past")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(ends__gt=now)
        if self.value() == "past":
            return queryset.filter(ends__lte=now)
        return queryset


@admin.register(Course)
class CourseAdmin(PublishableAdmin):
    form = CourseAdminForm
    formfield_overrides = FORMFIELD_OVERRIDES
    inlines = [LearningOutcomeInline, SessionInline, BriefingLinkInline]
    list_display = ["title", "format", "level", "status", "published", "next_session", "upcoming_count", "updated_at"]
    list_filter = [
        "format",
        "themes",
        "status",
        UpcomingSessionFilter,
        "audience",
        "level",
    ]
    search_fields = ["title", "summary", "description", "provider", "audience_detail"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["prerequisites", "themes"]
    save_on_top = True
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description"]}),
        ("Publication", {"fields": ["status", "published"]}),
        ("Who it is for", {"fields": ["audience", "audience_detail", "level"]}),
        ("How it runs", {"fields": ["format", "duration", "cost", "provider", "booking_url", "waiting_list"]}),
        ("Prerequisites", {"fields": ["prerequisites", "prerequisites_text"]}),
        ("Themes", {"fields": ["themes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_upcoming()

    @admin.display(description="next session", ordering="next_session_starts")
    def next_session(self, course):
        if course.next_session_starts is None:
            return "None scheduled"
        return timezone.localtime(course.next_session_starts).strftime("%a %d %b %Y %H:%M")

    @admin.display(description="upcoming sessions", ordering="upcoming_session_count")
    def upcoming_count(self, course):
        return course.upcoming_session_count

    def save_formset(self, request, form, formset, change):
        if formset.model is LearningOutcome:
            number_in_order(formset)
        super().save_formset(request, form, formset, change)


@admin.register(Session)
class SessionAdmin(SiteWordsMixin, SignOffMixin, PartLockMixin, SimpleHistoryAdmin):
    form = SessionForm
    formfield_overrides = FORMFIELD_OVERRIDES
    list_display = ["when", "course", "place", "places_total", "places_left", "status"]
    list_display_links = ["when"]
    list_filter = ["status", SessionTimeFilter, "course__format", "is_online", "course"]
    list_select_related = ["course"]
    date_hierarchy = "starts"
    search_fields = ["course__title", "location", "note"]
    autocomplete_fields = ["course"]
    ordering = ["-starts"]
    actions = ["mark_full", "mark_open", "mark_cancelled"]

    @admin.display(description="when (UK time)", ordering="starts")
    def when(self, session):
        return session_when(session)

    @admin.display(description="place")
    def place(self, session):
        return session.location or ("Online" if session.is_online else "-")

    def view_on_site(self, session):
        return session.course.get_absolute_url()

    def _set_status(self, request, queryset, status):
        changed = 0
        with transaction.atomic():
            for session in queryset.select_related(None).exclude(status=status):
                session.status = status
                session.save(update_fields=["status"])
                changed += 1
        label = Session.Status(status).label.lower()
        self.message_user(
            request,
            ngettext("%(n)d session marked “%(label)s”.", "%(n)d sessions marked “%(label)s”.", changed)
            % {"n": changed, "label": label},
            messages.SUCCESS,
        )

    @admin.action(description="Mark selected sessions as full", permissions=["change"])
    def mark_full(self, request, queryset):
        self._set_status(request, queryset, Session.Status.FULL)

    @admin.action(description="Mark selected sessions as open for booking", permissions=["change"])
    def mark_open(self, request, queryset):
        self._set_status(request, queryset, Session.Status.OPEN)

    @admin.action(description="Mark selected sessions as cancelled", permissions=["change"])
    def mark_cancelled(self, request, queryset):
        self._set_status(request, queryset, Session.Status.CANCELLED)
