"""Routes of the ledgers' API, included under /api/v1/."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from . import api

urlpatterns: list[URLPattern | URLResolver] = []

# --- REST resources of the ledgers (api.py) ---------------------------------------------------
# A SimpleRouter, not a DefaultRouter: the API root view is gongjian.api_urls' own. Ids are <int:pk>,
# so routes appended below (members/import/, …) never collide with members/{id}/.
ledger_router = SimpleRouter(use_regex_path=False)
ledger_router.register("members", api.MemberViewSet, basename="member")
ledger_router.register("member-categories", api.MemberCategoryViewSet, basename="member-category")
ledger_router.register("ledgers", api.LedgerAreaViewSet, basename="ledger")
ledger_router.register("member-reports", api.MemberReportViewSet, basename="member-report")
ledger_router.register("unit-reports", api.UnitReportViewSet, basename="unit-report")
ledger_router.register("co-managements", api.CoManagementViewSet, basename="co-management")
ledger_router.register("mobile-records", api.MobileRecordViewSet, basename="mobile-record")
ledger_router.register("stations", api.StationViewSet, basename="station")
ledger_router.register("transfers", api.TransferViewSet, basename="transfer")
ledger_router.register("households", api.HouseholdViewSet, basename="household")
urlpatterns += ledger_router.urls
urlpatterns += [
    path("mobile-reminders/", api.MobileRemindersView.as_view(), name="mobile-reminders"),
]
# --- end of the REST resources ----------------------------------------------------------------

# --- Excel in and out of the ledgers (api_io.py) ----------------------------------------------
from . import api_io  # noqa: E402

urlpatterns += [
    path("members/import/", api_io.LedgerImportView.as_view(), name="api-ledger-import"),
    path("members/export/", api_io.LedgerExportView.as_view(), name="api-ledger-export"),
    path("members/template/", api_io.LedgerTemplateView.as_view(), name="api-ledger-template"),
]
