"""Readers' "Was this useful?" answers on briefing and course pages.

The pages the form sits on are served to everyone from the page cache, so the form carries nothing
per reader: no CSRF token (a cached page cannot hold one). The endpoint is CSRF-exempt and protected
instead by requiring a browser's word that the post came from this site (Sec-Fetch-Site, or Origin or
Referer naming this host), a rate limit per address, and the site's small limit on public request
bodies. A forged vote could only add one anonymous yes or no; it can read nothing.

One answer per browser per page: a random voter cookie, set only when a reader answers and sent only
to this endpoint (its path), of which only a digest is stored. Comments are never shown on any page.
"""

import hashlib
import re
import secrets
from urllib.parse import urlsplit

from django import forms
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from briefings.models import Briefing
from portal.middleware import client_ip
from training.models import Course

from .models import UsefulnessVote

VOTER_COOKIE = "useful_voter"
VOTER_COOKIE_PATH = "/useful/"
VOTER_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
VOTES_PER_HOUR = 30
COMMENT_LENGTH = UsefulnessVote._meta.get_field("comment").max_length

PAGES = {"briefing": Briefing, "course": Course}


class UsefulForm(forms.Form):
    useful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], error_messages={"required": "Choose Yes or No."})
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_LENGTH,
        error_messages={
            "max_length": f"Keep the comment to {COMMENT_LENGTH} characters or fewer (it has %(show_value)d)."
        },
    )


def came_from_this_site(request):
    """True only when the browser says the post came from a page of this site.

    Public pages send no Referer and their posts carry "Origin: null" (the site's referrer policy),
    so Sec-Fetch-Site, which every current browser sends, is the usual proof; Origin or Referer
    naming this host also count. Without any of them the post is refused.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site == "same-origin"
    here = f"{request.scheme}://{request.get_host()}"
    origin = request.headers.get("Origin", "")
    if origin and origin != "null":
        return origin == here
    referer = urlsplit(request.headers.get("Referer", ""))
    return bool(referer.netloc) and f"{referer.scheme}://{referer.netloc}" == here


def over_rate_limit(request):
    """Count this answer against its address; True once the address has sent VOTES_PER_HOUR this hour."""
    address = hashlib.sha256((client_ip(request) or "").encode()).hexdigest()[:32]
    key = f"useful-votes:{address}"
    cache.add(key, 0, 60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 60 * 60)
        count = 1
    return count > VOTES_PER_HOUR


def voter_token(request):
    token = request.COOKIES.get(VOTER_COOKIE, "")
    return token if VOTER_TOKEN.fullmatch(token) else secrets.token_urlsafe(32)


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def refused(request, page, kind, form, message, status):
    """The form again with what the reader typed and why it was not taken; never cached."""
    context = {"page": page, "kind": kind, "form": form, "message": message}
    response = render(request, "learning/useful_refused.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@csrf_exempt
@require_POST
def useful(request, kind, slug):
    """Record a yes or no (and an optional comment) about a published page, then go back to it."""
    if kind not in PAGES:
        raise Http404("No such page.")
    page = get_object_or_404(PAGES[kind].objects.published(), slug=slug)
    form = UsefulForm(request.POST)
    if not came_from_this_site(request):
        return refused(
            request, page, kind, form,
            "Your answer was not saved: your browser did not confirm that it was sent from this website. "
            "Open the page again and answer there.",
            403,
        )  # fmt: skip
    if over_rate_limit(request):
        return refused(
            request, page, kind, form,
            "Your answer was not saved: a great many answers have come from your network in the last hour. "
            "Please try again later.",
            429,
        )  # fmt: skip
    if not form.is_valid():
        return refused(request, page, kind, form, "Your answer was not saved.", 400)
    token = voter_token(request)
    outcome = "thanks"
    try:
        with transaction.atomic():
            UsefulnessVote.objects.create(
                **{kind: page},
                useful=form.cleaned_data["useful"] == "yes",
                comment=form.cleaned_data["comment"],
                voter=digest(token),
            )
    except IntegrityError:
        outcome = "already"
    response = HttpResponseRedirect(f"{page.get_absolute_url()}?useful={outcome}#useful", status=303)
    response.set_cookie(
        VOTER_COOKIE,
        token,
        max_age=365 * 24 * 60 * 60,
        path=VOTER_COOKIE_PATH,
        samesite="Strict",
        httponly=True,
        secure=request.is_secure(),
    )
    return response
