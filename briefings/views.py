from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from portal import cache, publication
from portal.cache import private_if_staff
from portal.prepared import PreparedLookup

from . import body, related
from .forms import BriefingFilterForm
from .models import Briefing, Resource, Theme

PER_PAGE = 12


def briefing_list(request):
    filters = BriefingFilterForm(request.GET)
    chosen = filters.values()
    filters.count_options(Briefing.objects.published(), chosen)
    briefings = filters.filter(Briefing.objects.published(), chosen).prefetch_related("themes")
    # get_page turns a missing, junk or out-of-range page number into the first or last page.
    page = Paginator(briefings, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "filters": filters,
        "filtered": bool(chosen),
        "feed_url": reverse("feed-briefings") + (f"?{filters.query(chosen)}" if chosen else ""),
    }
    return render(request, "briefings/list.html", context)


# The public's query for a briefing page, built and compiled to SQL once a day per worker: building and
# compiling it cost a cold page more CPU than the database spends running it.
_public_pages = [None, None]


def _public_queries():
    today = cache.today()
    if _public_pages[0] != today:
        _public_pages[:] = [
            today,
            PreparedLookup(Briefing.objects.published().select_related("stored_body"), "slug"),
        ]
    return _public_pages


def public_page(slug):
    """The published briefing at this address, read with its stored body, or None."""
    return _public_queries()[1].get(slug)


def briefing_detail(request, slug):
    if request.user.is_staff:
        briefing = Briefing.objects.select_related("stored_body").filter(slug=slug).first()
    else:
        briefing = public_page(slug)
    if briefing is None:
        return withdrawn(request, slug)
    public = briefing.is_published
    context = {
        "briefing": briefing,
        **body.page_context(briefing, request),
        "public": public,
        "staff_notices": not public or request.user.is_staff,
        "overdue": briefing.is_overdue,
        # After a vote (?useful=thanks or already) the form gives way to its answer, rendered for this request.
        "useful_answer": "useful" in request.GET,
    }
    if public:
        context["related_section"] = related.section(briefing)
    return private_if_staff(request, render(request, "briefings/detail.html", context))


def withdrawn(request, slug):
    briefing = Briefing.objects.filter(slug=slug).first()
    themes = list(briefing.themes.all()[:3]) if briefing else []
    listing = (reverse("briefings:list"), "look through all briefings", "Briefings")
    return publication.withdrawn(request, briefing, noun="briefing", themes=themes, listing=listing)


def theme_list(request):
    themes = Theme.objects.annotate(
        briefing_count=Count("briefings", filter=Q(briefings__in=Briefing.objects.published()), distinct=True)
    )
    return render(request, "briefings/theme_list.html", {"themes": themes})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    briefings = theme.briefings.published().prefetch_related("themes")
    courses = theme.courses.published()
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
