"""Printable outputs of a briefing: the team-meeting pack and the PDF (issue: Print)."""

from django.http import Http404


def team_pack(request, slug):
    raise Http404("Not built yet")


def briefing_pdf(request, slug):
    raise Http404("Not built yet")
