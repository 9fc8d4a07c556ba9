"""/appeals/: pages of residents' appeals (接诉即办), in the "appeals" namespace."""

from django.urls import URLPattern, URLResolver

from .views import urlpatterns as page_patterns

app_name = "appeals"
urlpatterns: list[URLPattern | URLResolver] = [*page_patterns]
