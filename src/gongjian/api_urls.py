"""Everything under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from gongjian.accounts.api import AuditEntryViewSet, MeView, ObtainTokenView, TokenViewSet
from gongjian.core.api_views import JobViewSet, NotificationViewSet
from gongjian.home_api import InboxView
from gongjian.orgs.api import AllianceViewSet, AreaViewSet, PartyOrgViewSet, UnitViewSet
from gongjian.orgs.api_io import MapExportView, MapImportView, MapTemplateView
from gongjian.stats.urls import api_urlpatterns as stats_api_urlpatterns

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # no `.json` twins of every route (actions do not take `format`)
router.register("areas", AreaViewSet, basename="area")
router.register("units", UnitViewSet, basename="unit")
router.register("party-orgs", PartyOrgViewSet, basename="party-org")
router.register("alliances", AllianceViewSet, basename="alliance")
router.register("jobs", JobViewSet, basename="job")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("audit", AuditEntryViewSet, basename="audit")
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("inbox/", InboxView.as_view(), name="api-inbox"),
    path("map/import/", MapImportView.as_view(), name="api-map-import"),
    path("map/export/", MapExportView.as_view(), name="api-map-export"),
    path("map/template/", MapTemplateView.as_view(), name="api-map-template"),
    path("", include("gongjian.members.api_urls")),
    path("", include("gongjian.cobuild.api_urls")),
    path("", include("gongjian.lists.api_urls")),
    path("", include("gongjian.matching.api_urls")),
    path("", include("gongjian.service.api_urls")),
    path("", include("gongjian.appeals.api_urls")),
    path("", include("gongjian.honours.api_urls")),
    path("stats/", include(stats_api_urlpatterns)),
    path("", include(router.urls)),
]
