"""/cobuild/: pages of co-building, agreements and committees (views/agreements.py) and joint
meetings, action items and consultations (views/meetings.py), in the "cobuild" namespace."""

from django.urls import URLPattern, URLResolver, path

from .views import agreements, meetings

app_name = "cobuild"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", agreements.cobuild_home, name="home"),
    *agreements.urlpatterns,
    *meetings.urlpatterns,
]
