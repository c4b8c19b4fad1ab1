"""Presenter mode: a briefing one panel a screen, in large type, for a team meeting's shared screen."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from portal.cache import private_if_staff
from portal.middleware import PERMISSIONS_POLICY

from . import views
from .models import Briefing

SEVEN_MINUTES = 7 * 60
# The site switches full screen off everywhere; the presenter's button needs it, for this page only.
PRESENTER_PERMISSIONS_POLICY = PERMISSIONS_POLICY.replace("fullscreen=()", "fullscreen=(self)")


def present(request, slug):
    """Published briefings for everyone (cached like the briefing page); drafts only for staff."""
    briefings = Briefing.objects.all() if request.user.is_staff else Briefing.objects.published()
    try:
        briefing = get_object_or_404(briefings.prefetch_related("sections", "key_facts", "questions"), slug=slug)
    except Http404:
        return views.withdrawn(request, slug)
    seven_minutes = briefing.kind == Briefing.Kind.SEVEN_MINUTE_BRIEFING
    questions = list(briefing.questions.all())
    context = {
        "briefing": briefing,
        "sections": briefing.sections.all(),
        "key_facts": briefing.key_facts.all(),
        "questions": questions,
        "seven_minutes": seven_minutes,
        "target_seconds": SEVEN_MINUTES if seven_minutes else 0,
        # The contract between branches: the team record form lives at this path.
        "record_url": f"{briefing.get_absolute_url()}record/",
    }
    response = render(request, "briefings/present.html", context)
    response["Permissions-Policy"] = PRESENTER_PERMISSIONS_POLICY
    return private_if_staff(request, response)
