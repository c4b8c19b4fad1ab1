import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_mixins import (
    PartLockMixin,
    PublishableAdmin,
    PublishControlMixin,
    PublisherChangesWhatIsPublicMixin,
    SignOffMixin,
    SiteWordsMixin,
)
from portal.forms import OrderedPartForm, number_in_order
from portal.redirects import AddressNoticeMixin

from . import transfer
from .forms import BriefingAdminForm, ResourceAdminForm, ResourceForm, SectionForm
from .models import (
    Briefing,
    DiscussionQuestion,
    FeaturedTheme,
    KeyFact,
    OrderedPart,
    ProfessionalGroup,
    Resource,
    Section,
    StarterLayout,
    StarterSection,
    Theme,
)

# Links are web addresses, https assumed (SiteWordsMixin gives Markdown fields their editor and help).
FORMFIELD_OVERRIDES = {
    models.URLField: {"assume_scheme": "https"},
}

# What the page that asks for the kind says about each.
KIND_DESCRIPTIONS = {
    Briefing.Kind.SEVEN_MINUTE_BRIEFING: "Seven short numbered panels that a team can read together in seven minutes.",
    Briefing.Kind.THEMATIC_REVIEW: "The learning from a review of several cases, as a longer document.",
    Briefing.Kind.AUDIT_FINDINGS: "What an audit of cases found: what was looked at, good practice, what to improve.",
}


def staff_kind_label(kind):
    """The built-in name staff know a kind by, with the name readers see when the partnership set its own."""
    shown = Briefing.kind_name_of(kind)
    return kind.label if shown == kind.label else f"{kind.label} (shown to readers as “{shown}”)"


def requested_kind(request):
    kind = request.GET.get("kind")
    return kind if kind in Briefing.Kind.values else None


class OrderedInline(SiteWordsMixin, admin.TabularInline):
    form = OrderedPartForm
    formfield_overrides = FORMFIELD_OVERRIDES
    extra = 1


class SectionInline(SiteWordsMixin, admin.StackedInline):
    model = Section
    form = SectionForm
    formfield_overrides = FORMFIELD_OVERRIDES
    fields = ["position", "heading", "body"]
    extra = 1

    class Media:
        js = ["js/admin-reorder.js"]
        css = {"all": ["css/admin-reorder.css"]}

    def get_extra(self, request, obj=None, **kwargs):
        kind = requested_kind(request)
        if obj is None and kind and request.method == "GET":
            return len(StarterLayout.headings_for(kind)) or self.extra
        return self.extra


class QuestionInline(OrderedInline):
    model = DiscussionQuestion
    fields = ["position", "text"]
    verbose_name = "discussion question"


class KeyFactInline(OrderedInline):
    model = KeyFact
    fields = ["position", "figure", "text", "source"]


class ResourceInline(OrderedInline):
    model = Resource
    form = ResourceForm
    fields = ["position", "title", "kind", "url", "file", "description"]
    verbose_name = "resource"


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("soon", "Due in the next 30 days"), ("none", "No review date")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "soon":
            return queryset.filter(review_due__gte=today, review_due__lte=today + datetime.timedelta(days=30))
        if self.value() == "none":
            return queryset.filter(review_due__isnull=True)
        return queryset


def review_label(due, today=None):
    """Where a briefing stands against its next review date, in a few words."""
    if due is None:
        return "No review date"
    days = (due - (today or timezone.localdate())).days
    if days < 0:
        return format_html("<strong>Overdue</strong> since {}", date_format(due, "j M Y"))
    if days == 0:
        return "Due today"
    if days <= 30:
        return f"Due in {days} day{'s' if days != 1 else ''}"
    return "Not due yet"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.markdown,.zip,text/markdown"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        label="Briefing files",
        help_text=(
            "Choose one or more .md files, or a .zip of them, as the \u201cExport\u201d buttons on the briefings "
            "list download them. You will see what the import would do before anything is saved."
        ),
    )


@admin.register(Briefing)
class BriefingAdmin(PublishableAdmin):
    form = BriefingAdminForm
    formfield_overrides = FORMFIELD_OVERRIDES
    # In the order the page shows them: key facts, the sections, the questions, the resources.
    inlines = [KeyFactInline, SectionInline, QuestionInline, ResourceInline]
    prepopulated_fields = {"slug": ["title"]}
    list_display = ["title", "kind", "status", "published", "review_due", "overdue", "updated_at"]
    list_filter = ["kind", "status", "themes", ReviewDueFilter, "based_on", "audience"]
    search_fields = ["title", "summary", "slug", "sections__heading", "sections__body"]
    date_hierarchy = "published"
    filter_horizontal = ["themes", "courses"]
    actions = ["publish_selected", "unpublish_selected", "export_selected"]
    save_on_top = True
    # What every edit needs stays open; what is set once or rarely is folded away, so the parts come soon.
    fieldsets = [
        (None, {"fields": ["title", "kind", "summary", "themes", "loaded_version"]}),
        ("Publication", {"fields": ["status", "published"]}),
        (
            "About this briefing",
            {
                "classes": ["collapse"],
                "fields": ["audience", "professional_groups", "publisher", "based_on", "sample_description"],
                "description": "Who it is for, who published it and what it is based on (shown under the title).",
            },
        ),
        ("Training linked to this learning", {"classes": ["collapse"], "fields": ["courses"]}),
        (
            "Review dates",
            {
                "classes": ["collapse"],
                "fields": ["last_reviewed", "review_due"],
                "description": "Readers are told when a briefing is past its next review date.",
            },
        ),
        (
            "Web address",
            {
                "classes": ["collapse"],
                "fields": ["slug"],
                "description": "Made from the title. Changing it later keeps the old address working.",
            },
        ),
    ]

    class Media:
        js = ["js/admin-markdownx-inlines.js"]

    @admin.display(description="review", ordering="review_due")
    def overdue(self, obj):
        """Plain words, not an icon: a green tick read as "fine" on the very briefings that were not."""
        return review_label(obj.review_due)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        kind = requested_kind(request)
        if isinstance(inline, SectionInline) and obj.pk is None and kind and request.method == "GET":
            kwargs["initial"] = [
                {"position": position, "heading": heading}
                for position, heading in enumerate(StarterLayout.headings_for(kind), start=1)
            ]
        return kwargs

    def add_view(self, request, form_url="", extra_context=None):
        """Every way in (admin index, list, typed address) first asks for the kind, unless the link gives it."""
        if request.method == "GET" and not requested_kind(request) and self.has_add_permission(request):
            return self.choose_kind_view(request)
        return super().add_view(request, form_url, extra_context)

    def choose_kind_view(self, request):
        kept = [(name, value) for name, value in request.GET.items() if name != "kind"]
        context = {
            **self.admin_site.each_context(request),
            "title": "What kind of briefing?",
            "opts": self.opts,
            "kinds": [(kind, staff_kind_label(kind), KIND_DESCRIPTIONS.get(kind, "")) for kind in Briefing.Kind],
            "kept": kept,
            "is_popup": "_popup" in request.GET,
        }
        return render(request, "admin/briefings/briefing/choose_kind.html", context)

    def save_formset(self, request, form, formset, change):
        if issubclass(formset.model, OrderedPart):
            number_in_order(formset)
        super().save_formset(request, form, formset, change)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "add_kinds": [(value, label) for value, label in Briefing.Kind.choices],
            "overdue_count": Briefing.objects.overdue().count(),
            "can_import": self.has_add_permission(request),
            "can_export": self.has_view_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="briefings_briefing_import"),
            path("export/", self.admin_site.admin_view(self.export_all_view), name="briefings_briefing_export"),
            *super().get_urls(),
        ]

    @admin.action(description="Export selected briefings (.md files in a zip)", permissions=["view"])
    def export_selected(self, request, queryset):
        return _zip_response(Briefing.objects.filter(pk__in=queryset.order_by().values("pk")))

    def export_all_view(self, request):
        """Every briefing, drafts too, as a zip of .md files in the import format (reading only)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _zip_response(Briefing.objects.all())

    def import_view(self, request):
        """Upload .md files or a zip of them, see what they would do, then confirm; only confirming writes."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Import briefings",
            "opts": self.opts,
            "can_publish": self.can_publish(request),
            "limits": {
                "files": transfer.MAX_FILES,
                "total_mb": transfer.MAX_TOTAL_SIZE // 1024 // 1024,
                "hours": int(transfer.BATCH_LIFETIME.total_seconds() // 3600),
            },
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm_import(request, context)
        form = ImportForm(request.POST or None, request.FILES or None)
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            try:
                uploaded = transfer.read_uploads(form.cleaned_data["files"])
            except transfer.UploadError as error:
                context["refused"] = error.problems
            else:
                previews = transfer.preview(uploaded, request.user, self.can_publish(request))
                good = [(p.result.name, raw) for p, (_, raw) in zip(previews, uploaded, strict=True) if p.ok]
                context["previews"] = previews
                context["good_count"] = len(good)
                context["token"] = transfer.keep_batch(request.user, good) if good else None
        return render(request, "admin/briefings/briefing/import.html", context)

    def _confirm_import(self, request, context):
        context["form"] = ImportForm()
        with transaction.atomic():
            files = transfer.take_batch(request.POST["token"], request.user)
            if files is None:
                context["refused"] = [
                    "preview: this preview has already been imported, has expired or was not yours; "
                    "choose the files again"
                ]
                return render(request, "admin/briefings/briefing/import.html", context)
            results, written = transfer.confirm(
                files, request.user, self.can_publish(request), base_url=request.build_absolute_uri("/")
            )
            if not written:
                transaction.set_rollback(True)  # nothing from any file is kept, and the preview is not used up
        context["results"] = results
        if written:
            self.message_user(request, f"{len(results)} file(s) imported.", messages.SUCCESS)
        else:
            failed = sum(1 for result in results if not result.ok)
            self.message_user(
                request,
                f"Nothing was imported: {failed} file(s) no longer import as the preview showed (see below).",
                messages.ERROR,
            )
        return render(request, "admin/briefings/briefing/import.html", context)


def _zip_response(queryset):
    response = HttpResponse(transfer.export_zip(queryset), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{transfer.export_file_name()}"'
    return response


@admin.register(Theme)
class ThemeAdmin(SiteWordsMixin, PublisherChangesWhatIsPublicMixin, AddressNoticeMixin, SimpleHistoryAdmin):
    formfield_overrides = FORMFIELD_OVERRIDES
    prepopulated_fields = {"slug": ["name"]}
    list_display = ["name", "slug", "published_briefings", "view_on_site_link"]
    search_fields = ["name", "summary", "description"]

    def get_queryset(self, request):
        published = Briefing.objects.published()
        return (
            super()
            .get_queryset(request)
            .annotate(published_count=Count("briefings", filter=Q(briefings__in=published), distinct=True))
        )

    @admin.display(description="published briefings", ordering="published_count")
    def published_briefings(self, obj):
        return obj.published_count

    @admin.display(description="page")
    def view_on_site_link(self, obj):
        return format_html('<a href="{}">View</a>', obj.get_absolute_url())


@admin.register(FeaturedTheme)
class FeaturedThemeAdmin(SiteWordsMixin, PublisherChangesWhatIsPublicMixin, admin.ModelAdmin):
    formfield_overrides = FORMFIELD_OVERRIDES
    list_display = ["theme", "starts", "ends", "is_current"]
    list_filter = ["theme"]
    list_select_related = ["theme"]
    date_hierarchy = "starts"
    autocomplete_fields = ["theme"]

    @admin.display(boolean=True, description="on the home page now")
    def is_current(self, obj):
        return obj.starts <= timezone.localdate() <= obj.ends


@admin.register(ProfessionalGroup)
class ProfessionalGroupAdmin(PublisherChangesWhatIsPublicMixin, admin.ModelAdmin):
    """Editors see the list; publishers change it, since it changes the public briefing filter."""

    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Resource)
class ResourceAdmin(
    SiteWordsMixin,
    PublisherChangesWhatIsPublicMixin,
    SignOffMixin,
    PublishControlMixin,
    PartLockMixin,
    SimpleHistoryAdmin,
):
    form = ResourceAdminForm
    publish_field = "status"
    publish_permission = publisher_permission = "briefings.publish_resource"
    formfield_overrides = FORMFIELD_OVERRIDES
    list_display = ["title", "kind", "publication", "briefing", "link"]

    def is_public(self, obj):
        # A briefing's resource is public with the briefing, and sign-off holds changes to that.
        return obj is not None and obj.briefing_id is None and obj.status == Resource.Status.PUBLISHED

    list_filter = ["status", "kind", "themes", ("briefing", admin.EmptyFieldListFilter)]
    list_select_related = ["briefing"]
    search_fields = ["title", "description", "url"]
    filter_horizontal = ["themes"]
    autocomplete_fields = ["briefing"]
    fields = ["title", "kind", "description", "url", "file", "themes", "briefing", "position", "status"]
    actions = ["publish_selected", "unpublish_selected"]

    def locked_publish_fields(self, request, obj=None):
        locked = super().locked_publish_fields(request, obj)
        if locked and obj is not None and obj.briefing_id is None and obj.status == Resource.Status.PUBLISHED:
            # Put on a briefing, a published resource would be public only with it: unpublished by the move.
            locked.append("briefing")
        return locked

    def enforce_publication(self, request, obj, change):
        super().enforce_publication(request, obj, change)
        if self.can_publish(request) or obj.pk is None or obj.briefing_id is not None:
            return
        # Taken off its briefing, a resource would be public on its own status; only a publisher decides that.
        if Resource.objects.filter(pk=obj.pk, briefing__isnull=False).exists():
            obj.status = Resource._meta.get_field("status").get_default()

    @admin.action(description="Publish selected resources", permissions=["publish"])
    def publish_selected(self, request, queryset):
        count = 0
        for resource in queryset.exclude(status=Resource.Status.PUBLISHED):
            resource.status = Resource.Status.PUBLISHED
            resource.save()  # one by one: each change is kept in the history and re-indexed
            count += 1
        self.message_user(request, f"Published {count} resource(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected resources (make them drafts)", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = 0
        for resource in queryset.filter(status=Resource.Status.PUBLISHED):
            resource.status = Resource.Status.DRAFT
            resource.save()
            count += 1
        self.message_user(request, f"Unpublished {count} resource(s); they are now drafts.", messages.SUCCESS)

    @admin.display(description="status", ordering="status")
    def publication(self, obj):
        # On a briefing the resource's own status does not count: say so rather than show a misleading "Draft".
        return "with its briefing" if obj.briefing_id else obj.get_status_display()

    @admin.display(description="link or file")
    def link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.href, obj.file.name if obj.file else obj.url)


class StarterSectionInline(admin.TabularInline):
    model = StarterSection
    form = OrderedPartForm
    fields = ["position", "heading"]
    extra = 1


@admin.register(StarterLayout)
class StarterLayoutAdmin(PublisherChangesWhatIsPublicMixin, SimpleHistoryAdmin):
    """The sections each kind of new briefing starts with: publishers change them, editors may look."""

    inlines = [StarterSectionInline]
    list_display = ["__str__", "headings"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sections")

    @admin.display(description="starting sections")
    def headings(self, layout):
        return "; ".join(section.heading for section in layout.sections.all())

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []

    def save_formset(self, request, form, formset, change):
        number_in_order(formset)
        super().save_formset(request, form, formset, change)
