"""Everything under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from gongjian.accounts.api import MeView, ObtainTokenView
from gongjian.core.api_views import JobViewSet
from gongjian.orgs.api import AllianceViewSet, AreaViewSet, PartyOrgViewSet, UnitViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("units", UnitViewSet, basename="unit")
router.register("party-orgs", PartyOrgViewSet, basename="party-org")
router.register("alliances", AllianceViewSet, basename="alliance")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
