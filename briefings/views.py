from django.shortcuts import get_object_or_404, render

from .models import Briefing, Theme


def briefing_list(request):
    briefings = Briefing.objects.published().prefetch_related("themes")
    return render(request, "briefings/list.html", {"briefings": briefings})


def briefing_detail(request, slug):
    queryset = Briefing.objects.all() if request.user.is_staff else Briefing.objects.published()
    briefing = get_object_or_404(
        queryset.prefetch_related("sections", "questions", "key_facts", "resources", "themes"), slug=slug
    )
    return render(request, "briefings/detail.html", {"briefing": briefing})


def theme_list(request):
    return render(request, "briefings/theme_list.html", {"themes": Theme.objects.all()})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    briefings = theme.briefings.published()
    return render(request, "briefings/theme_detail.html", {"theme": theme, "briefings": briefings})
