from django.urls import path

from . import views

app_name = "training"

# sessions.ics comes before <slug>/ patterns; a slug cannot contain a dot, so the two never collide.
urlpatterns = [
    path("", views.course_list, name="list"),
    path("sessions.ics", views.sessions_ics, name="sessions-ics"),
    path("whats-on/", views.whats_on, name="whats-on"),
    path("<slug:slug>/", views.course_detail, name="detail"),
    path("<slug:slug>/sessions.ics", views.course_sessions_ics, name="course-sessions-ics"),
    path("<slug:slug>/sessions/<int:pk>.ics", views.session_ics, name="session-ics"),
]
