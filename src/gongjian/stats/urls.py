"""Routes of the figures: pages under /stats/ (``urlpatterns``) and the API under /api/v1/stats/
(``api_urlpatterns``, included by ``gongjian.api_urls``). Areas are named by their division code."""

from django.urls import URLPattern, path

from . import api, views

app_name = "stats"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<str:code>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    # before <code>/<indicator>/: "quality" is not a figure (the checks are "quality.*")
    path("<str:code>/quality/", views.quality, name="quality"),
    path("<str:code>/<str:indicator>/", views.rows, name="rows"),
    path("<str:code>/<str:indicator>/rows.xlsx", views.rows_xlsx, name="rows_xlsx"),
]

api_urlpatterns: list[URLPattern] = [
    # before <code>/: "catalogue" is not an area
    path("catalogue/", api.CatalogueView.as_view(), name="stats-catalogue"),
    path("<str:code>/", api.FiguresView.as_view(), name="stats-detail"),
    path("<str:code>/dashboard/", api.DashboardView.as_view(), name="stats-dashboard"),
    path("<str:code>/<str:indicator>/rows/", api.RowsView.as_view(), name="stats-rows"),
]
