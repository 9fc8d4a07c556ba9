"""Routes of the appraisals API, included under /api/v1/."""

from django.urls import URLPattern, URLResolver

from .api import urlpatterns as api_patterns

urlpatterns: list[URLPattern | URLResolver] = [*api_patterns]
