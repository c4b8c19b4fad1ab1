from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse

from portal.admin_mixins import ReadOnlyAdminMixin

from .models import OutgoingEmail
from .outbox import send_again, send_test_email


class TestEmailForm(forms.Form):
    address = forms.EmailField(label="Send a test email to", max_length=254)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the site has sent or tried to send, read-only: the record is what prevents a double send."""

    list_display = ["subject", "recipients", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject", "key", "message_id"]
    date_hierarchy = "created_at"
    change_list_template = "admin/mail/outgoingemail/change_list.html"
    actions = ["send_again_action"]

    @admin.display(description="to")
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.action(description="Send again (failed, or stuck at sending and known not to have arrived)")
    def send_again_action(self, request, queryset):
        count = send_again(queryset)
        skipped = queryset.count() - count
        note = f" {skipped} already queued or sent, left as they are." if skipped else ""
        self.message_user(request, f"{count} email(s) queued again.{note}", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view(self.send_test_view)
        return [path("send-test/", view, name="mail_outgoingemail_send_test"), *super().get_urls()]

    def send_test_view(self, request):
        """Queue a test email, to check the mail settings and the worker from the browser."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = TestEmailForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            address = form.cleaned_data["address"]
            send_test_email(address)
            self.message_user(
                request, f"Test email to {address} queued: the background worker sends it.", messages.SUCCESS
            )
            return redirect(reverse("admin:mail_outgoingemail_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Send a test email",
            "opts": self.opts,
            "form": form,
        }
        return render(request, "admin/mail/outgoingemail/send_test.html", context)
