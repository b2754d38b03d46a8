"""A URLconf that serves the archive under another path (tests/test_links.py)."""

from django.urls import include, path

urlpatterns = [path("et-andet-sted/", include("archive_site.urls"))]
