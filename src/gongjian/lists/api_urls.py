"""Routes of the three lists' API, included under /api/v1/."""

from django.urls import URLPattern, URLResolver

from .api import claims, projects

urlpatterns: list[URLPattern | URLResolver] = [*claims.urlpatterns, *projects.urlpatterns]
