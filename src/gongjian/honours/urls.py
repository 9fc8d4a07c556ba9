"""/honours/: appraisals and honours (评比表彰), in the "honours" namespace."""

from django.urls import URLPattern, URLResolver

from .views import urlpatterns as page_patterns

app_name = "honours"
urlpatterns: list[URLPattern | URLResolver] = [*page_patterns]
