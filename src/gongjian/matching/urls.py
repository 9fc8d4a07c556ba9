"""/matching/: a joint meeting's claiming session and the one-click claim of a recommendation."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "matching"
urlpatterns: list[URLPattern | URLResolver] = [
    path("recommendations/", views.unit_recommendations, name="recommendations"),
    path("demands/<int:pk>/claim/", views.recommendation_claim, name="claim"),
    path("demands/<int:pk>/decline/", views.recommendation_decline, name="decline"),
    path("meetings/<int:pk>/session/", views.session, name="session"),
    path("meetings/<int:pk>/session/propose/", views.session_start, name="session_propose"),
    path("meetings/<int:pk>/session/decide/", views.session_decide, name="session_decide"),
    path("meetings/<int:pk>/session/commit/", views.session_commit, name="session_commit"),
]
