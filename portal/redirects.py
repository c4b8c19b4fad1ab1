"""A renamed item's old addresses answer with a permanent redirect, never a chain or a loop (README "Web addresses")."""

import logging

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponsePermanentRedirect

from portal.middleware import DATABASE_DOWN
from portal.models import Redirect

log = logging.getLogger(__name__)

# A redirect may change (an old address reused, a redirect edited in admin): browsers and proxies
# keep a 301 for this long at most, rather than for ever.
REDIRECT_MAX_AGE = 60 * 60


def moved(old_paths, new_paths):
    """Send each old address to the matching new one in one hop; return [(old, new)] redirected."""
    done = []
    with transaction.atomic():
        claim(new_paths)
        for old, new in zip(old_paths, new_paths, strict=True):
            if old == new:
                continue
            # Addresses that led to the old one lead straight to the new one: no chains.
            Redirect.objects.filter(new_path=old).update(new_path=new)
            Redirect.objects.update_or_create(old_path=old, defaults={"new_path": new})
            done.append((old, new))
    return done


def claim(paths):
    """An item answers at these addresses itself: remove their redirects; return [(old, new)] removed."""
    paths = list(paths)
    found = sorted(
        Redirect.objects.filter(old_path__in=paths).values_list("old_path", "new_path"),
        key=lambda row: paths.index(row[0]),
    )
    if found:
        Redirect.objects.filter(old_path__in=[old for old, _ in found]).delete()
    return found


class RedirectFallbackMiddleware:
    """Answer a "not found" GET or HEAD at an address that moved with a 301 to where it lives now.

    Inside the page cache (a redirect is never stored there) and after CommonMiddleware in the
    list, so a moved address is redirected before the trailing-slash rule is tried.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        if "\x00" in request.path or len(request.path) > Redirect._meta.get_field("old_path").max_length:
            return response  # no stored address looks like this (and PostgreSQL refuses NUL in a query)
        try:
            target = Redirect.objects.filter(old_path=request.path).values_list("new_path", flat=True).first()
        except DATABASE_DOWN:
            return response
        if target is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        redirect = HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        redirect["Cache-Control"] = f"public, max-age={REDIRECT_MAX_AGE}"
        return redirect


class RedirectForm(forms.ModelForm):
    class Meta:
        model = Redirect
        fields = ["old_path", "new_path"]

    def clean_old_path(self):
        return _site_path(self.cleaned_data["old_path"])

    def clean_new_path(self):
        return _site_path(self.cleaned_data["new_path"])

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_path"), cleaned.get("new_path")
        if old and new:
            if old == new:
                raise forms.ValidationError("An address cannot redirect to itself.")
            onward = Redirect.objects.filter(old_path=new).exclude(pk=self.instance.pk).first()
            if onward is not None:
                raise forms.ValidationError(
                    f"{new} itself redirects to {onward.new_path}: enter {onward.new_path} as the new address, "
                    "so readers get there in one step."
                )
        return cleaned


def _site_path(value):
    value = value.strip()
    if not value.startswith("/") or value.startswith("//"):
        raise forms.ValidationError("Enter an address on this site that starts with /, e.g. /briefings/name/.")
    if any(c.isspace() for c in value):
        raise forms.ValidationError("An address cannot contain spaces.")
    return value


class RedirectAdmin(admin.ModelAdmin):
    form = RedirectForm
    list_display = ["old_path", "new_path", "updated_at"]
    search_fields = ["old_path", "new_path"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Redirects that led to this old address now lead straight to its new one.
        Redirect.objects.filter(new_path=obj.old_path).exclude(pk=obj.pk).update(new_path=obj.new_path)


class AddressNoticeMixin:
    """For the admin of an item with a web address: say on save where its addresses now lead."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = getattr(obj, "_address_changes", None) or {}
        for old, new in changes.get("claimed", [])[:1]:
            self.message_user(
                request,
                f"The address {old} redirected to {new}; it now shows this {obj._meta.verbose_name} instead, "
                "and that redirect has been removed.",
                messages.WARNING,
            )
        for old, new in changes.get("moved", [])[:1]:
            self.message_user(
                request,
                f"The old address {old} now redirects to {new}, so links and printed copies keep working "
                "(Site → Web address redirects).",
                messages.INFO,
            )
