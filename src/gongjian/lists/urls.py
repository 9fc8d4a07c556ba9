"""/lists/: pages of the three lists, demands, resources and claims (views/claims.py) and
projects with the public board (views/projects.py), in the "lists" namespace."""

from django.urls import URLPattern, URLResolver, path

from .views import claims, projects

app_name = "lists"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", claims.lists_home, name="home"),
    *claims.urlpatterns,
    *projects.urlpatterns,
]
