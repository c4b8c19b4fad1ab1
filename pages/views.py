from django.shortcuts import render
from django.urls import reverse

from portal import publication
from portal.cache import private_if_staff

from .models import Page


def page_detail(request, slug):
    pages = Page.objects.all() if request.user.is_staff else Page.objects.published()
    page = pages.filter(slug=slug).first()
    if page is None:
        return withdrawn(request, slug)
    return private_if_staff(request, render(request, "pages/detail.html", {"page": page}))


def withdrawn(request, slug):
    page = Page.objects.filter(slug=slug).first()
    listing = (reverse("search"), "search the site", None)
    return publication.withdrawn(request, page, noun="page", themes=[], listing=listing)
