"""The public subscription pages: all private and uncached (they carry a CSRF token or a subscriber's token)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from briefings.models import Theme
from portal.middleware import client_ip

from . import limits, subscriptions
from .forms import ChoicesForm, SubscribeForm
from .models import Subscriber

TOO_MANY_FROM_IP = (
    "Too many subscription requests have come from your connection in the last hour, so this one was not sent. "
    "Please try again in an hour."
)
TOO_MANY_FOR_ADDRESS = (
    "We have already sent an email to this address in the last 24 hours, so we have not sent another. "
    "Look for it in your inbox (and junk or spam folder) and follow the link in it, or try again tomorrow."
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    theme = Theme.objects.filter(slug=request.GET.get("theme", "")).first()
    initial = {"themes": [theme.pk] if theme else [], "everything": theme is None, "frequency": "instant"}
    form = SubscribeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        if not limits.allow_ip(client_ip(request)):
            status = 429
            form.add_error(None, TOO_MANY_FROM_IP)
        elif not limits.allow_address(address) or not subscriptions.request_subscription(form.cleaned_data):
            status = 429
            form.add_error(None, TOO_MANY_FOR_ADDRESS)
        else:
            return render(request, "alerts/sent.html", {"address": address})
    elif request.method == "POST":
        status = 400
    return render(request, "alerts/subscribe.html", {"form": form, "theme": theme}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, code):
    """GET shows a button; only the POST confirms, so a mail scanner that opens links confirms nothing."""
    subscriber = subscriptions.from_confirm_code(code)
    if subscriber is None:
        return render(request, "alerts/link_expired.html", status=410)
    if request.method == "POST":
        subscriptions.confirm(subscriber)
        messages.success(request, "Thank you: your email updates are on. You can change them here at any time.")
        return redirect("alerts:manage", token=subscriber.token)
    return render(request, "alerts/confirm.html", {"subscriber": subscriber})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    subscriber = Subscriber.objects.filter(token=token, confirmed_at__isnull=False).first()
    if subscriber is None:
        return render(request, "alerts/link_expired.html", status=410)
    form = ChoicesForm(request.POST or None, instance=subscriber)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your choices are saved.")
        return redirect("alerts:manage", token=token)
    return render(
        request, "alerts/manage.html", {"form": form, "subscriber": subscriber}, status=400 if form.errors else 200
    )


# The token is the credential (RFC 8058): mail programs POST "List-Unsubscribe=One-Click" with no
# cookie or CSRF token, and the page's own button works the same way without JavaScript.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    if request.method == "POST":
        subscriptions.unsubscribe(token)
        return render(request, "alerts/unsubscribed.html")
    known = Subscriber.objects.filter(token=token).exists()
    return render(request, "alerts/unsubscribe.html", {"token": token, "known": known})
