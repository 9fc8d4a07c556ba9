from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/", views.unit_list, name="unit_list"),
    path("alliances/", views.alliance_list, name="alliance_list"),
]
