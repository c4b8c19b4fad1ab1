import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from briefings.admin import BriefingAdmin
from briefings.models import Briefing, Theme
from mail.models import OutgoingEmail
from portal.admin_mixins import ReadOnlyAdminMixin
from portal.publication import may_publish

from . import sending
from .models import AlertEvent, Subscriber

ACTIVE = Q(subscribers__confirmed_at__isnull=False, subscribers__suppressed_at__isnull=True)


def may_see(user):
    """Staff who edit content may see the counts; no one sees an address here but a publisher's export."""
    return user.is_active and user.is_staff and user.has_perm("briefings.view_briefing")


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What was sent, when, to how many, and what failed; counts only, never addresses."""

    list_display = ["title", "kind", "status", "due", "started_at", "finished_at", "recipients", "sent", "failed"]
    list_filter = ["kind", "status"]
    fields = ["kind", "title", "status", "due", "started_at", "finished_at", "recipients", "sent", "failed"]
    readonly_fields = fields
    date_hierarchy = "created_at"
    change_list_template = "admin/alerts/alertevent/change_list.html"

    def get_queryset(self, request):
        sent = Count("deliveries", filter=Q(deliveries__email__status=OutgoingEmail.Status.SENT))
        failed = Count("deliveries", filter=Q(deliveries__email__status=OutgoingEmail.Status.FAILED))
        return super().get_queryset(request).annotate(sent_count=sent, failed_count=failed)

    @admin.display(description="sent", ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description="failed", ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    def has_module_permission(self, request):
        return may_see(request.user)

    def has_view_permission(self, request, obj=None):
        return may_see(request.user)

    def get_urls(self):
        own = [
            path("subscribers/", self.admin_site.admin_view(self.subscribers_view), name="alerts_subscribers"),
            path("subscribers.csv", self.admin_site.admin_view(self.export_view), name="alerts_export"),
            path("send-test/", self.admin_site.admin_view(self.send_test_view), name="alerts_send_test"),
        ]
        return own + super().get_urls()

    def subscribers_view(self, request):
        """Subscriber counts by theme: how many, never who."""
        if not may_see(request.user):
            raise PermissionDenied
        themes = Theme.objects.annotate(
            instant=Count("subscribers", filter=ACTIVE & Q(subscribers__frequency=Subscriber.Frequency.INSTANT)),
            weekly=Count("subscribers", filter=ACTIVE & Q(subscribers__frequency=Subscriber.Frequency.WEEKLY)),
        ).order_by("name")
        active = Subscriber.objects.active()
        context = {
            **self.admin_site.each_context(request),
            "title": "Email alert subscribers",
            "opts": self.opts,
            "themes": themes,
            "everything_instant": active.filter(everything=True, frequency=Subscriber.Frequency.INSTANT).count(),
            "everything_weekly": active.filter(everything=True, frequency=Subscriber.Frequency.WEEKLY).count(),
            "active": active.count(),
            "unconfirmed": Subscriber.objects.filter(confirmed_at__isnull=True).count(),
            "stopped": Subscriber.objects.filter(suppressed_at__isnull=False).count(),
            "is_publisher": may_publish(request.user, Briefing),
        }
        return render(request, "admin/alerts/subscribers.html", context)

    def export_view(self, request):
        """Every subscriber as CSV, for a data request: publishers only."""
        if not may_publish(request.user, Briefing):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{timezone.localdate():%Y-%m-%d}.csv"'
        response["Cache-Control"] = "private, no-store"
        writer = csv.writer(response)
        writer.writerow(
            ["email", "confirmed", "frequency", "every theme", "themes", "new briefings", "updated briefings",
             "new training dates", "subscribed", "stopped", "stopped because"]
        )  # fmt: skip
        for subscriber in Subscriber.objects.prefetch_related("themes").order_by("email").iterator(chunk_size=500):
            writer.writerow(
                [
                    csv_safe(subscriber.email),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                    subscriber.frequency,
                    "yes" if subscriber.everything else "no",
                    csv_safe("; ".join(theme.name for theme in subscriber.themes.all())),
                    *("yes" if flag else "no" for flag in (
                        subscriber.new_briefings, subscriber.updated_briefings, subscriber.new_sessions)),
                    subscriber.created_at.isoformat(),
                    subscriber.suppressed_at.isoformat() if subscriber.suppressed_at else "",
                    csv_safe(subscriber.suppressed_reason),
                ]
            )  # fmt: skip
        return response

    def send_test_view(self, request):
        """A publisher's "send a test to me": the latest briefing as an alert, to their own address."""
        if request.method != "POST" or not may_publish(request.user, Briefing):
            raise PermissionDenied
        target = reverse("admin:alerts_subscribers")
        if not request.user.email:
            self.message_user(request, "Your account has no email address: add one to get a test.", messages.ERROR)
            return redirect(target)
        try:
            sending.send_test(request.user)
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(target)
        self.message_user(
            request, f"Test alert to {request.user.email} queued: the background worker sends it.", messages.SUCCESS
        )
        return redirect(target)


def csv_safe(text):
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class AlertsBriefingForm(BriefingAdmin.form):
    tell_subscribers = forms.BooleanField(
        required=False,
        label="Tell subscribers",
        help_text="Email the briefing's subscribers who asked for updates that this briefing has changed. "
        "Leave it unticked for a small correction.",
    )


class AlertsBriefingAdmin(BriefingAdmin):
    """The briefing admin with the publisher's "tell subscribers" tick for a change to a published briefing."""

    form = AlertsBriefingForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.status == Briefing.Status.PUBLISHED and may_publish(request.user, Briefing):
            fieldsets.append(("Email alerts", {"fields": ["tell_subscribers"]}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        told = form.cleaned_data.get("tell_subscribers")
        # A briefing published by this very save is announced as new; the tick is for later changes.
        was_published = change and getattr(obj, "_alerts_was_published", False)
        if told and was_published and obj.is_published and may_publish(request.user, Briefing):
            sending.briefing_updated(obj, request.user)


admin.site.unregister(Briefing)
admin.site.register(Briefing, AlertsBriefingAdmin)
