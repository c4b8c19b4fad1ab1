from django.urls import path

from . import present, print_views, views

app_name = "briefings"

urlpatterns = [
    path("briefings/", views.briefing_list, name="list"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="detail"),
    path("briefings/<slug:slug>/present/", present.present, name="present"),
    path("briefings/<slug:slug>/team-pack/", print_views.team_pack, name="team-pack"),
    path("briefings/<slug:slug>/team-pack.pdf", print_views.team_pack_pdf, name="team-pack-pdf"),
    path("briefings/<slug:slug>/team-pack.css", print_views.team_pack_css, name="team-pack-css"),
    path("briefings/<slug:slug>.pdf", print_views.briefing_pdf, name="pdf"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
]
