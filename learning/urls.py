from django.urls import path

from . import records

app_name = "learning"

urlpatterns = [
    path("briefings/<slug:slug>/record/", records.record, name="record"),
    path("briefings/<slug:slug>/record/thanks/", records.record_thanks, name="record-thanks"),
    path("follow-up/<str:token>/", records.follow_up, name="follow-up"),
]
