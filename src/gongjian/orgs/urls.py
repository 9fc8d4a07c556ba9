from django.urls import path

from . import views, views_io

app_name = "orgs"
urlpatterns = [
    # pages (views.py)
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("area/<int:pk>/", views.area_detail, name="area_detail"),
    path("area/<int:pk>/edit/", views.area_edit, name="area_edit"),
    path("area/<int:pk>/add/", views.area_add_child, name="area_add_child"),
    path("area/<int:pk>/correct-start/", views.area_correct_start, name="area_correct_start"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/correct-start/", views.unit_correct_start, name="unit_correct_start"),
    path("units/<int:pk>/reveal-phone/", views.unit_reveal_phone, name="unit_reveal_phone"),
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/new/", views.org_create, name="org_create"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<int:pk>/correct-start/", views.org_correct_start, name="org_correct_start"),
    path("alliances/", views.alliance_list, name="alliance_list"),
    path("alliances/new/", views.alliance_create, name="alliance_create"),
    path("alliances/<int:pk>/", views.alliance_detail, name="alliance_detail"),
    path("alliances/<int:pk>/edit/", views.alliance_edit, name="alliance_edit"),
    path("alliances/<int:pk>/correct-start/", views.alliance_correct_start, name="alliance_correct_start"),
    path("alliances/<int:pk>/members/add/", views.alliance_member_add, name="alliance_member_add"),
    path(
        "alliances/<int:pk>/members/<int:member_pk>/end/",
        views.alliance_member_end,
        name="alliance_member_end",
    ),
    # Excel in and out (views_io.py)
    path("import/", views_io.import_start, name="import"),
    path("import/template.xlsx", views_io.import_template, name="import_template"),
    path("area/<int:pk>/export.xlsx", views_io.export_subtree, name="export"),
]
