"""Routes of matching's API, included under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "matching/demands/<int:pk>/recommendations/",
        api.DemandRecommendationsView.as_view(),
        name="matching-demand-recommendations",
    ),
    path(
        "matching/resources/<int:pk>/recommendations/",
        api.ResourceRecommendationsView.as_view(),
        name="matching-resource-recommendations",
    ),
    path("matching/demands/<int:pk>/claim/", api.RecommendationClaimView.as_view(), name="matching-claim"),
    path(
        "matching/demands/<int:pk>/decline/", api.RecommendationDeclineView.as_view(), name="matching-decline"
    ),
    path("matching/meetings/<int:pk>/session/", api.SessionApiView.as_view(), name="matching-session"),
    path(
        "matching/meetings/<int:pk>/session/accept/",
        api.SessionAcceptView.as_view(),
        name="matching-session-accept",
    ),
    path(
        "matching/meetings/<int:pk>/session/swap/",
        api.SessionSwapView.as_view(),
        name="matching-session-swap",
    ),
    path(
        "matching/meetings/<int:pk>/session/drop/",
        api.SessionDropView.as_view(),
        name="matching-session-drop",
    ),
    path(
        "matching/meetings/<int:pk>/session/release/",
        api.SessionReleaseView.as_view(),
        name="matching-session-release",
    ),
    path(
        "matching/meetings/<int:pk>/session/commit/",
        api.SessionCommitView.as_view(),
        name="matching-session-commit",
    ),
]
