from django.urls import path

from . import views

app_name = "briefings"

urlpatterns = [
    path("briefings/", views.briefing_list, name="list"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="detail"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
]
