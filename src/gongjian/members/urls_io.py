"""Excel in and out of the ledgers (views_io.py), under /ledgers/ in the "members" namespace."""

from django.urls import URLPattern, path

from . import views_io

urlpatterns: list[URLPattern] = [
    path("import/", views_io.import_start, name="import"),
    path("import/template.xlsx", views_io.import_template, name="import_template"),
    path("area/<int:pk>/export/", views_io.export, name="export"),
    path("units/<int:pk>/export/", views_io.unit_export, name="unit_export"),
    path("area/<int:pk>/export-clear/", views_io.export_clear, name="export_clear"),
]
