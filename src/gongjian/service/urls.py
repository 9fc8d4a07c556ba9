"""/service/: pages of service teams, volunteers, activities, hours and points, the member's own
"My service" page and the employers' quarterly sheet, in the "service" namespace."""

from django.urls import URLPattern, URLResolver

from .views import urlpatterns as page_patterns

app_name = "service"
urlpatterns: list[URLPattern | URLResolver] = [*page_patterns]
