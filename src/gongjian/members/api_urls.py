"""Routes of the ledgers' API, included under /api/v1/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
