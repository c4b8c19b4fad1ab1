from django.urls import path

from . import records, votes

app_name = "learning"

urlpatterns = [
    path("useful/<str:kind>/<slug:slug>/", votes.useful, name="useful"),
    path("briefings/<slug:slug>/record/", records.record, name="record"),
    path("briefings/<slug:slug>/record/thanks/", records.record_thanks, name="record-thanks"),
    path("follow-up/<str:token>/", records.follow_up, name="follow-up"),
]
