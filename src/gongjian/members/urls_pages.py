"""Pages of the member ledgers (views.py), under /ledgers/ in the "members" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ledger_home, name="home"),
    # ledgers at a node of the map
    path("area/<int:pk>/", views.ledger, name="ledger"),
    path("area/<int:pk>/reports/", views.report_list, name="report_list"),
    path("area/<int:pk>/mobile/", views.mobile_list, name="mobile_list"),
    path("area/<int:pk>/stations/", views.station_list, name="station_list"),
    path("area/<int:pk>/stations/new/", views.station_create, name="station_create"),
    path("area/<int:pk>/households/", views.household_list, name="household_list"),
    path("area/<int:pk>/households/new/", views.household_award, name="household_award"),
    path("area/<int:pk>/co-management/new/", views.co_management_add, name="co_management_add"),
    # members
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("members/<int:pk>/seen-by/", views.member_seen_by, name="member_seen_by"),
    path("members/<int:pk>/ledgers/add/", views.category_add, name="category_add"),
    path("members/<int:pk>/ledgers/<int:entry_pk>/end/", views.category_end, name="category_end"),
    path("members/<int:pk>/report/", views.member_report_create, name="member_report_create"),
    path("members/<int:pk>/away/", views.mobile_create, name="mobile_create"),
    path("members/<int:pk>/transfer/", views.transfer_issue, name="transfer_issue"),
    path("members/<int:pk>/account/", views.member_link_user, name="member_link_user"),
    # co-management (队伍共管)
    path("co-management/<int:pk>/end/", views.co_management_end, name="co_management_end"),
    # dual reporting (双报到)
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/decide/", views.report_decide, name="report_decide"),
    path("reports/<int:pk>/contacts/", views.report_contact_add, name="report_contact_add"),
    path("unit-reports/", views.unit_report_list, name="unit_report_list"),
    path("unit-reports/new/", views.unit_report_create, name="unit_report_create"),
    path("units/<int:pk>/feedback/", views.feedback_sheet, name="feedback_sheet"),
    # mobile members and stations
    path("mobile/<int:pk>/report-back/", views.mobile_report_back, name="mobile_report_back"),
    path("mobile/<int:pk>/end/", views.mobile_end, name="mobile_end"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/check-in/", views.station_check_in, name="station_check_in"),
    # a member away from home checks themself in (the link a station posts)
    path("stations/<int:pk>/me/", views.station_self_check_in, name="station_self_check_in"),
    path("stations/me/", views.station_self_list, name="station_self_list"),
    # transfers
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer_receive"),
    path("transfers/<int:pk>/reject/", views.transfer_reject, name="transfer_reject"),
    # household plaques
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/withdraw/", views.household_withdraw, name="household_withdraw"),
]
