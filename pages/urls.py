from django.urls import path

from . import views

app_name = "pages"

# Included LAST by the site's URLconf: any address nothing else answers is looked up as a page.
urlpatterns = [
    path("<slug:slug>/", views.page_detail, name="detail"),
]
