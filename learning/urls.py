from django.urls import path

from . import votes

app_name = "learning"

urlpatterns = [
    path("useful/<str:kind>/<slug:slug>/", votes.useful, name="useful"),
]
