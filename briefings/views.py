from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from training.models import Course

from . import body
from .forms import BriefingFilterForm
from .models import Briefing, Resource, Theme

PER_PAGE = 12


def briefing_list(request):
    filters = BriefingFilterForm(request.GET)
    chosen = filters.values()
    briefings = Briefing.objects.published().prefetch_related("themes")
    if "kind" in chosen:
        briefings = briefings.filter(kind=chosen["kind"])
    if "theme" in chosen:
        briefings = briefings.filter(themes=chosen["theme"])
    if "year" in chosen:
        briefings = briefings.filter(published__year=chosen["year"])
    # get_page turns a missing, junk or out-of-range page number into the first or last page.
    page = Paginator(briefings, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "filters": filters,
        "filtered": bool(chosen),
    }
    return render(request, "briefings/list.html", context)


def briefing_detail(request, slug):
    briefings = Briefing.objects.all() if request.user.is_staff else Briefing.objects.published()
    briefing = get_object_or_404(briefings.select_related("stored_body"), slug=slug)
    context = {"briefing": briefing, **body.page_context(briefing)}
    return private_if_staff(request, render(request, "briefings/detail.html", context))


def private_if_staff(request, response):
    """A page rendered for staff (a draft preview, say) is kept by no cache: not the browser's, not a proxy's."""
    if request.user.is_staff:
        patch_cache_control(response, private=True, no_store=True)
    return response


def theme_list(request):
    themes = Theme.objects.annotate(
        briefing_count=Count("briefings", filter=Q(briefings__in=Briefing.objects.published()), distinct=True)
    )
    return render(request, "briefings/theme_list.html", {"themes": themes})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    briefings = theme.briefings.published().prefetch_related("themes")
    courses = Course.objects.published().filter(themes=theme)
    resources = (
        # Public resources on the theme, and those of its published briefings; never a draft's.
        Resource.objects.public()
        .filter(Q(themes=theme) | Q(briefing__in=briefings.values("pk")))
        .select_related("briefing")
        .distinct()
        .order_by(F("briefing__title").asc(nulls_first=True), "position", "pk")
    )
    # A toolkit linked from several briefings is listed once, under its first appearance.
    seen = set()
    resources = [r for r in resources if not (r.href in seen or seen.add(r.href))]
    context = {"theme": theme, "briefings": briefings, "courses": courses, "resources": resources}
    return render(request, "briefings/theme_detail.html", context)
