"""A URLconf with the home page elsewhere, for tests/performance/test_addresses.py."""

from django.urls import include, path

from portal.site import urls

urlpatterns = [path("moved/", include(urls))]
