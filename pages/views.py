from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from portal.cache import private_if_staff

from .models import Page


def page_detail(request, slug):
    pages = Page.objects.all() if request.user.is_staff else Page.objects.published()
    page = pages.filter(slug=slug).first()
    if page is None:
        return withdrawn(request, slug)
    return private_if_staff(request, render(request, "pages/detail.html", {"page": page}))


def withdrawn(request, slug):
    """410 Gone for a page the public could once read and no longer can; otherwise 404 (the site's own page).

    A never-published draft stays a plain "not found": its title is not the public's business.
    """
    page = Page.objects.filter(slug=slug).first()
    if page is None or not was_public(page):
        raise Http404("No page at this address.")
    response = render(request, "pages/withdrawn.html", {"page": page}, status=410)
    response["Cache-Control"] = "no-cache"
    return response


def was_public(page):
    """Whether the public could read `page` at some time: some version was published, dated before it ended."""
    rows = list(page.history.order_by("history_date", "history_id").values_list("history_date", "status", "published"))
    today = timezone.localdate()
    for index, (_, status, published) in enumerate(rows):
        ends = timezone.localdate(rows[index + 1][0]) if index + 1 < len(rows) else today
        if status == Page.Status.PUBLISHED and published is not None and published <= ends:
            return True
    return False
