"""Routes of the co-building API, included under /api/v1/."""

from django.urls import URLPattern, URLResolver

from .api import agreements, meetings

urlpatterns: list[URLPattern | URLResolver] = [*agreements.urlpatterns, *meetings.urlpatterns]
