from django.shortcuts import get_object_or_404, render

from .models import Course


def course_list(request):
    return render(request, "training/list.html", {"courses": Course.objects.published()})


def course_detail(request, slug):
    course = get_object_or_404(Course.objects.published().prefetch_related("outcomes"), slug=slug)
    return render(request, "training/detail.html", {"course": course})
