"""Walk every page and API endpoint as each role and prove nothing outside the role's scope can be
read or changed.

The scope is computed here by an independent oracle (the rules of the domain guide, written again
plainly), not by the selectors under test. Every URL pattern of the project must be classified in
ROUTES below: a new endpoint that is not fails ``test_every_route_is_classified``, so later issues
extend this walk with their endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from gongjian.accounts.models import ADMIN_LEVELS, ApiToken, Role, RoleKind
from gongjian.appeals.models import Appeal
from gongjian.cobuild import models as cb
from gongjian.cobuild.models import Agreement, Committee, PartTimeSeat
from gongjian.core.models import AuditEntry, Job, Notification
from gongjian.honours.models import Campaign, Honour, Objection
from gongjian.honours.models import Entry as CampaignEntry
from gongjian.lists.models import Claim, Demand, Milestone, ProgressReport, Project, Resource
from gongjian.lists.models import Evidence as ProjectEvidence
from gongjian.members.models import (
    CoManagement,
    Household,
    Member,
    MemberCategory,
    MemberReport,
    MobileRecord,
    Station,
    Transfer,
    UnitReport,
)
from gongjian.orgs.models import Alliance, AllianceMember, Area, PartyOrg, ResidentUnit
from gongjian.service import models as sv
from gongjian.testing import World, build_every_app

# url name -> the model whose object the route opens (kwarg "pk"); "list" for collection routes;
# "public" for routes anyone may call; "own" for the caller's own rows.
ROUTES: dict[str, Any] = {
    # pages
    "home": "list",
    "orgs:tree": "list",
    "orgs:search": "list",
    "orgs:unit_list": "list",
    "orgs:unit_create": "list",
    "orgs:org_list": "list",
    "orgs:org_create": "list",
    "orgs:alliance_list": "list",
    "orgs:alliance_create": "list",
    "orgs:import": "list",
    "orgs:import_template": "list",
    "orgs:area_detail": Area,
    "orgs:area_edit": Area,
    "orgs:area_add_child": Area,
    "orgs:export": Area,
    "orgs:unit_detail": ResidentUnit,
    "orgs:unit_edit": ResidentUnit,
    "orgs:unit_reveal_phone": ResidentUnit,
    "orgs:unit_correct_start": ResidentUnit,
    "orgs:area_correct_start": Area,
    "orgs:alliance_correct_start": Alliance,
    "orgs:org_detail": PartyOrg,
    "orgs:org_edit": PartyOrg,
    "orgs:org_correct_start": PartyOrg,
    "orgs:alliance_detail": Alliance,
    "orgs:alliance_edit": Alliance,
    "orgs:alliance_member_add": Alliance,
    "orgs:alliance_member_end": Alliance,
    "core:job": Job,
    "core:job_download": Job,
    "core:notifications": "own",
    "core:notifications_read_all": "own",
    "core:notification_settings": "own",
    "core:notification_read": Notification,
    "accounts:tokens": "own",
    "accounts:otp_setup": "own",
    "accounts:otp_verify": "own",
    "accounts:audit_log": "list",
    "accounts:audit_export": "list",
    "token-list": "own",
    "token-revoke": ApiToken,
    "audit-list": "list",
    "audit-export": "list",
    "accounts:care_mode": "own",
    "pick_area": "list",
    "pick_unit": "list",
    "pick_org": "list",
    "pick_member": "list",
    "accounts:login": "public",
    "accounts:logout": "public",
    "set_language": "public",
    "members:home": "list",
    # API
    "api-root": "list",
    "api-me": "own",
    "api-inbox": "own",
    "api-token": "public",
    "schema": "public",
    "api-docs": "public",
    "area-list": "list",
    "unit-list": "list",
    "party-org-list": "list",
    "alliance-list": "list",
    "job-list": "own",
    "api-map-import": "list",
    "api-map-export": "list",
    "api-map-template": "list",
    "area-detail": Area,
    "area-children": Area,
    "unit-detail": ResidentUnit,
    "unit-reveal-contact-phone": ResidentUnit,
    "party-org-detail": PartyOrg,
    "alliance-detail": Alliance,
    "alliance-members": Alliance,
    "alliance-end-membership": Alliance,
    "job-detail": Job,
    "job-download": Job,
    "notification-list": "own",
    "notification-read-all": "own",
    "notification-detail": Notification,
    "notification-read": Notification,
    # member ledgers: pages
    "members:member_list": "list",
    "members:member_create": "list",
    "members:transfer_list": "list",
    "members:unit_report_list": "list",
    "members:unit_report_create": "list",
    "members:import": "list",
    "members:import_template": "list",
    "members:ledger": Area,
    "members:report_list": Area,
    "members:mobile_list": Area,
    "members:station_list": Area,
    "members:station_create": Area,
    "members:household_list": Area,
    "members:household_award": Area,
    "members:export": Area,
    "members:export_clear": Area,
    "members:member_detail": Member,
    "members:member_seen_by": Member,
    "members:member_edit": Member,
    "members:member_reveal": Member,
    "members:category_add": Member,
    "members:category_end": Member,
    "members:member_report_create": Member,
    "members:mobile_create": Member,
    "members:transfer_issue": Member,
    "members:report_detail": MemberReport,
    "members:report_decide": MemberReport,
    "members:report_contact_add": MemberReport,
    "members:feedback_sheet": ResidentUnit,
    "members:mobile_report_back": MobileRecord,
    "members:mobile_end": MobileRecord,
    "members:station_detail": Station,
    "members:station_check_in": Station,
    "members:transfer_detail": Transfer,
    "members:transfer_receive": Transfer,
    "members:transfer_reject": Transfer,
    "members:household_detail": Household,
    "members:household_withdraw": Household,
    "members:unit_export": ResidentUnit,
    "members:co_management_add": Area,
    "members:co_management_end": CoManagement,
    "members:member_link_user": Member,
    "members:station_self_check_in": Station,
    "members:station_self_list": "own",
    # member ledgers: API
    "member-list": "list",
    "member-lookup": "list",
    "member-report-list": "list",
    "unit-report-list": "list",
    "co-management-list": "list",
    "mobile-record-list": "list",
    "mobile-reminders": "list",
    "station-list": "list",
    "transfer-list": "list",
    "household-list": "list",
    "api-ledger-import": "list",
    "api-ledger-export": "list",
    "api-ledger-template": "list",
    "ledger-counts": Area,
    "member-detail": Member,
    "member-seen-by": Member,
    "member-reveal": Member,
    "member-categories": Member,
    "member-category-end": MemberCategory,
    "member-report-detail": MemberReport,
    "member-report-decide": MemberReport,
    "member-report-contacts": MemberReport,
    "unit-report-detail": UnitReport,
    "co-management-detail": CoManagement,
    "co-management-end": CoManagement,
    "mobile-record-detail": MobileRecord,
    "mobile-record-end": MobileRecord,
    "mobile-record-report-back": MobileRecord,
    "station-detail": Station,
    "station-check-ins": Station,
    "transfer-detail": Transfer,
    "transfer-receive": Transfer,
    "transfer-reject": Transfer,
    "household-detail": Household,
    "household-withdraw": Household,
    # co-building: pages (cobuild/views/agreements.py)
    "cobuild:home": "list",
    "cobuild:agreement_list": "list",
    "cobuild:agreement_create": "list",
    "cobuild:agreement_detail": Agreement,
    "cobuild:agreement_edit": Agreement,
    "cobuild:agreement_sign": Agreement,
    "cobuild:agreement_end": Agreement,
    "cobuild:agreement_review": Agreement,
    "cobuild:agreement_pdf": Agreement,
    "cobuild:committee_list": "list",
    "cobuild:committee_create": "list",
    "cobuild:committee_detail": Committee,
    "cobuild:seat_recommend": Committee,
    "cobuild:seat_list": "list",
    "cobuild:seat_detail": PartTimeSeat,
    "cobuild:seat_screen": PartTimeSeat,
    "cobuild:seat_approve": PartTimeSeat,
    "cobuild:seat_reject": PartTimeSeat,
    "cobuild:seat_appoint": PartTimeSeat,
    "cobuild:seat_announce": PartTimeSeat,
    "cobuild:seat_end": PartTimeSeat,
    "cobuild:seat_certificate": PartTimeSeat,
    # co-building: agreements API (cobuild/api/agreements.py)
    "agreement-list": "list",
    "agreement-detail": Agreement,
    "agreement-sign": Agreement,
    "agreement-end": Agreement,
    "agreement-reviews": Agreement,
    "agreement-pdf": Agreement,
    "committee-list": "list",
    "committee-detail": Committee,
    "part-time-seat-list": "list",
    "part-time-seat-detail": PartTimeSeat,
    "part-time-seat-screen": PartTimeSeat,
    "part-time-seat-approve": PartTimeSeat,
    "part-time-seat-reject": PartTimeSeat,
    "part-time-seat-appoint": PartTimeSeat,
    "part-time-seat-announce": PartTimeSeat,
    "part-time-seat-end": PartTimeSeat,
    "part-time-seat-certificate": PartTimeSeat,
    # co-building: meeting pages (cobuild/views/meetings.py)
    "cobuild:meeting_list": "list",
    "cobuild:meeting_create": "list",
    "cobuild:meeting_ics": "list",
    "cobuild:meeting_ics_area": Area,
    "cobuild:meeting_ics_feed": "public",  # the signed address is the credential (a 404 without it)
    "cobuild:meeting_detail": cb.JointMeeting,
    "cobuild:meeting_edit": cb.JointMeeting,
    "cobuild:meeting_unit_add": cb.JointMeeting,
    "cobuild:meeting_unit_remove": cb.JointMeeting,
    "cobuild:meeting_topic_propose": cb.JointMeeting,
    "cobuild:meeting_agenda_add": cb.JointMeeting,
    "cobuild:meeting_send_agenda": cb.JointMeeting,
    "cobuild:meeting_hold": cb.JointMeeting,
    "cobuild:meeting_cancel": cb.JointMeeting,
    "cobuild:meeting_qr": cb.JointMeeting,
    "cobuild:meeting_sign_in": cb.JointMeeting,  # without the meeting's code: 403 for everyone
    "cobuild:meeting_attendance_add": cb.JointMeeting,
    "cobuild:meeting_pledge_add": cb.JointMeeting,
    "cobuild:meeting_resolution_add": cb.JointMeeting,
    "cobuild:meeting_minutes": cb.JointMeeting,
    "cobuild:meeting_close": cb.JointMeeting,
    "cobuild:meeting_agreement_add": cb.JointMeeting,
    "cobuild:meeting_pack": cb.JointMeeting,
    "cobuild:agenda_item_decide": cb.AgendaItem,
    "cobuild:agenda_item_outcome": cb.AgendaItem,
    "cobuild:resolution_action_add": cb.Resolution,
    "cobuild:action_list": "list",
    "cobuild:action_detail": cb.ActionItem,
    "cobuild:action_close": cb.ActionItem,
    "cobuild:consultation_list": "list",
    "cobuild:consultation_create": "list",
    "cobuild:consultation_detail": cb.Consultation,
    "cobuild:consultation_edit": cb.Consultation,
    "cobuild:consultation_answer": cb.Consultation,
    "cobuild:consultation_attach": cb.Consultation,
    # co-building: meetings API (cobuild/api/meetings.py)
    "meeting-list": "list",
    "meeting-detail": cb.JointMeeting,
    "meeting-units": cb.JointMeeting,
    "meeting-remove-unit": cb.JointMeeting,
    "meeting-topics": cb.JointMeeting,
    "meeting-agenda": cb.JointMeeting,
    "meeting-send-agenda": cb.JointMeeting,
    "meeting-hold": cb.JointMeeting,
    "meeting-cancel": cb.JointMeeting,
    "meeting-sign-in": cb.JointMeeting,  # without the meeting's code: 403 for everyone
    "meeting-attendance": cb.JointMeeting,
    "meeting-pledges": cb.JointMeeting,
    "meeting-resolutions": cb.JointMeeting,
    "meeting-minutes": cb.JointMeeting,
    "meeting-close": cb.JointMeeting,
    "meeting-agreements": cb.JointMeeting,
    "meeting-pack": cb.JointMeeting,
    "agenda-item-detail": cb.AgendaItem,
    "agenda-item-accept": cb.AgendaItem,
    "agenda-item-decline": cb.AgendaItem,
    "agenda-item-move": cb.AgendaItem,
    "agenda-item-outcome": cb.AgendaItem,
    "resolution-detail": cb.Resolution,
    "resolution-actions": cb.Resolution,
    "action-item-list": "list",
    "action-item-detail": cb.ActionItem,
    "action-item-close": cb.ActionItem,
    "consultation-list": "list",
    "consultation-detail": cb.Consultation,
    "consultation-answers": cb.Consultation,
    "consultation-results": cb.Consultation,
    "consultation-attach": cb.Consultation,
    # three lists: pages (lists/views/claims.py)
    "lists:home": "list",
    "lists:demand_list": "list",
    "lists:demand_export": "list",
    "lists:demand_create": "list",
    "lists:resident_raise": "list",
    "lists:demand_detail": Demand,
    "lists:demand_edit": Demand,
    "lists:demand_review": Demand,
    "lists:demand_withdraw": Demand,
    "lists:demand_claim": Demand,
    "lists:demand_assign": Demand,
    "lists:resource_list": "list",
    "lists:resource_export": "list",
    "lists:resource_create": "list",
    "lists:resource_detail": Resource,
    "lists:resource_publish": Resource,
    "lists:resource_withdraw": Resource,
    "lists:resource_claim": Resource,
    "lists:claim_list": "list",
    "lists:my_claims": "own",
    "lists:claim_detail": Claim,
    "lists:claim_accept": Claim,
    "lists:claim_decline": Claim,
    "lists:claim_withdraw": Claim,
    # three lists: claims API (lists/api/claims.py)
    "demand-list": "list",
    "demand-detail": Demand,
    "demand-review": Demand,
    "demand-publish": Demand,
    "demand-reject": Demand,
    "demand-withdraw": Demand,
    "demand-claim": Demand,
    "demand-assign": Demand,
    "resource-list": "list",
    "resource-detail": Resource,
    "resource-publish": Resource,
    "resource-withdraw": Resource,
    "resource-claim": Resource,
    "claim-list": "list",
    "claim-detail": Claim,
    "claim-accept": Claim,
    "claim-decline": Claim,
    "claim-withdraw": Claim,
    # three lists: project pages and the public board (lists/views/projects.py)
    "lists:project_list": "list",
    "lists:project_export": "list",
    "lists:project_detail": Project,
    "lists:project_edit": Project,
    "lists:milestone_add": Project,
    "lists:evidence_add": Project,
    "lists:report_add": Project,
    "lists:project_complete": Project,
    "lists:project_rate": Project,
    "lists:project_close": Project,
    "lists:project_cancel": Project,
    "lists:milestone_edit": Milestone,
    "lists:milestone_move": Milestone,
    "lists:evidence_file": ProjectEvidence,
    "lists:evidence_edit": ProjectEvidence,
    "lists:report_inspect": ProgressReport,
    "lists:board": "public",  # no login, no personal data (lists/tests/test_projects_board.py)
    "lists:board_evidence": "public",  # public photos of public projects only
    "lists:board_rate": "public",  # residents of the area, once, for finished projects
    # three lists: projects API (lists/api/projects.py)
    "project-list": "list",
    "project-detail": Project,
    "project-milestones": Project,
    "project-reorder-milestones": Project,
    "project-evidence": Project,
    "project-reports": Project,
    "project-complete": Project,
    "project-rate": Project,
    "project-close": Project,
    "project-cancel": Project,
    "milestone-detail": Milestone,
    "evidence-detail": ProjectEvidence,
    "evidence-file": ProjectEvidence,
    "progress-report-detail": ProgressReport,
    "progress-report-inspect": ProgressReport,
    "board-detail": "public",  # the public board as JSON (no personal data)
    "board-project-satisfaction": "public",  # residents of the area, once, for finished projects
    # service (service/)
    "service:home": "list",
    "service:mine": "own",
    "service:team_list": "list",
    "service:team_create": "list",
    "service:team_detail": sv.ServiceTeam,
    "service:team_edit": sv.ServiceTeam,
    "service:team_member_add": sv.ServiceTeam,
    "service:team_duty_add": sv.ServiceTeam,
    "service:team_status": sv.ServiceTeam,
    "service:team_membership_end": sv.TeamMembership,
    "service:duty_end": sv.StandingDuty,
    "service:volunteer_list": "list",
    "service:volunteer_create": "list",
    "service:volunteer_detail": sv.Volunteer,
    "service:volunteer_edit": sv.Volunteer,
    "service:volunteer_reveal": sv.Volunteer,
    "service:activity_list": "list",
    "service:activity_create": "list",
    "service:activity_detail": sv.Activity,
    "service:activity_sign_up": sv.Activity,
    "service:activity_sign_up_cancel": sv.Activity,
    "service:activity_cancel": sv.Activity,
    "service:activity_qr": sv.Activity,
    "service:activity_qr_svg": sv.Activity,
    "service:activity_scan": sv.Activity,  # with the current QR code anyone signed in opens it
    "service:activity_attendance_add": sv.Activity,
    "service:attendance_verify": sv.Attendance,
    "service:hours_list": "list",
    "service:hours_log": "own",
    "service:hours_decide": sv.ServiceHours,
    "service:hours_correct": sv.ServiceHours,
    "service:points": "list",
    "service:rule_create": "list",
    "service:points_claim": "own",
    "service:entry_decide": sv.PointsEntry,
    "service:feedback": ResidentUnit,
    "service:feedback_xlsx": ResidentUnit,
    "service:feedback_pdf": ResidentUnit,
    "my-service": "own",
    "service-team-list": "list",
    "service-team-detail": sv.ServiceTeam,
    "service-team-members": sv.ServiceTeam,
    "service-team-end-membership": sv.ServiceTeam,
    "service-team-duties": sv.ServiceTeam,
    "service-team-set-status": sv.ServiceTeam,
    "volunteer-list": "list",
    "volunteer-detail": sv.Volunteer,
    "volunteer-reveal": sv.Volunteer,
    "service-activity-list": "list",
    "service-activity-detail": sv.Activity,
    "service-activity-sign-up": sv.Activity,
    "service-activity-cancel-sign-up": sv.Activity,
    "service-activity-scan": sv.Activity,
    "service-activity-code": sv.Activity,
    "service-activity-attendance": sv.Activity,
    "service-activity-cancel": sv.Activity,
    "service-attendance-detail": sv.Attendance,
    "service-attendance-verify": sv.Attendance,
    "service-hours-list": "list",
    "service-hours-detail": sv.ServiceHours,
    "service-hours-decide": sv.ServiceHours,
    "service-hours-correct": sv.ServiceHours,
    "points-rule-list": "list",
    "points-rule-detail": sv.PointsRule,
    "points-entry-list": "list",
    "points-entry-detail": sv.PointsEntry,
    "points-entry-decide": sv.PointsEntry,
    # matching (matching/)
    "matching:claim": Demand,
    "matching:decline": Demand,
    "matching-decline": Demand,
    "matching:recommendations": "list",
    "matching:session": cb.JointMeeting,
    "matching:session_propose": cb.JointMeeting,
    "matching:session_decide": cb.JointMeeting,
    "matching:session_commit": cb.JointMeeting,
    "matching-demand-recommendations": Demand,
    "matching-resource-recommendations": Resource,
    "matching-claim": Demand,
    "matching-session": cb.JointMeeting,
    "matching-session-accept": cb.JointMeeting,
    "matching-session-swap": cb.JointMeeting,
    "matching-session-drop": cb.JointMeeting,
    "matching-session-release": cb.JointMeeting,
    "matching-session-commit": cb.JointMeeting,
    # appeals (appeals/): pages
    "appeals:home": "list",
    "appeals:mine": "own",
    "appeals:raise": "list",
    "appeals:register": "list",
    "appeals:detail": Appeal,
    "appeals:assign": Appeal,
    "appeals:reassign": Appeal,
    "appeals:answer": Appeal,
    "appeals:solve": Appeal,
    "appeals:close": Appeal,
    "appeals:call_back": Appeal,
    "appeals:hand_off": Appeal,
    "appeals:accept_handoff": Appeal,
    "appeals:return_handoff": Appeal,
    "appeals:rate": Appeal,
    "appeals:reveal": Appeal,
    "appeals:reopen": Appeal,
    "appeals:ranking": "list",
    "appeals:ranking_xlsx": "list",
    "appeals:ranking_pdf": "list",
    # honours (honours/): the organisers' pages open a campaign of their subtree; the published
    # lists, objecting and the certificates are public (no personal data)
    "honours:home": "list",
    "honours:campaign_create": "list",
    "honours:campaign": Campaign,
    "honours:criterion_add": Campaign,
    "honours:nominate": Campaign,
    "honours:panel_score": Campaign,
    "honours:adjust": Campaign,
    "honours:score": Campaign,
    "honours:publish": Campaign,
    "honours:answer": Campaign,
    "honours:award": Campaign,
    "honours:notices": "public",
    "honours:notice": "public",
    "honours:object": "public",  # anyone objects during the notice (honours/tests/test_views.py)
    "honours:certificate": "public",
    # honours: API (campaigns and honours of the caller's subtrees; the published lists for anyone)
    "campaign-list": "list",
    "campaign-detail": Campaign,
    "campaign-ranking": Campaign,
    "campaign-objections": Campaign,
    "campaign-notice-list": "public",
    "campaign-notice-detail": "public",
    "honour-list": "list",
    "honour-detail": Honour,
    # appeals: API
    "appeal-list": "list",
    "appeal-detail": Appeal,
    "appeal-events": Appeal,
    "appeal-assign": Appeal,
    "appeal-reassign": Appeal,
    "appeal-answer": Appeal,
    "appeal-solve": Appeal,
    "appeal-close": Appeal,
    "appeal-call-back": Appeal,
    "appeal-hand-off": Appeal,
    "appeal-accept-handoff": Appeal,
    "appeal-return-handoff": Appeal,
    "appeal-rate": Appeal,
    "appeal-reveal-phone": Appeal,
    "appeal-reopen": Appeal,
    "appeal-ranking": "list",
    # figures (stats/): areas by their division code (kwarg "code", see _extra), one indicator
    "stats:home": "list",
    "stats:dashboard": Area,
    "stats:quality": Area,
    "stats:rows": Area,
    "stats:rows_xlsx": Area,
    "stats:report_pdf": Area,
    "stats:report_xlsx": Area,
    "stats-catalogue": "list",
    "stats-detail": Area,
    "stats-dashboard": Area,
    "stats-rows": Area,
}

#: API lists that take ``?within=<area id>``: an area outside the scope answers 404.
WITHIN_LISTS = {"area-list", "unit-list", "party-org-list", "alliance-list", "member-list", "appeal-list"}

#: Objects outside the scope on which each route also gets POST, PATCH, PUT and DELETE: taken in
#: turn, so that the routes of one model between them try their writes on each object outside the
#: scope, not always on the first ones.
WRITES_PER_ROUTE = 3
OPENS_PER_ROUTE = 2  # objects inside the scope opened on each route (every one outside is tried)
#: The same on PostgreSQL, where the suite runs a second time: the scope rules and the views are the
#: same Python on both databases, and SQLite's run (first) takes the full measure. What the database
#: does differently (path prefixes, joins, NULLs in the scoped look-ups) is still met on every route:
#: every object outside the scope is read there too, and each route tries its writes on one of them
#: (in turn) and opens one object inside the scope.
WRITES_PER_ROUTE_PG = 1
OPENS_PER_ROUTE_PG = 1

ROLES = [
    "city_admin",
    "kaifu_admin",
    "dongfeng_admin",
    "wjl_admin",
    "jsh_admin",
    "liaison",
    "member",
    "resident",
]


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            kwargs = tuple(sorted(p.pattern.regex.groupindex))
            if "format" in kwargs:  # DRF's format-suffix twins of the same views
                continue
            yield Route(f"{namespace}{p.name}", kwargs)


def all_routes() -> list[Route]:
    return sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r.name)


class Oracle:
    """What a role may see, from the rules: administrators their subtree, liaisons their unit."""

    def __init__(self, user: Any) -> None:
        self.user_id = user.pk
        roles = list(Role.objects.filter(user=user, active=True))
        self.paths = [r.area.path for r in roles if r.kind in ADMIN_LEVELS and r.area]
        # A member away from home (linked to the account) opens any station to check in there.
        self.away = MobileRecord.objects.filter(member__user_id=user.pk, until__isnull=True).exists()
        self.units = {r.unit_id for r in roles if r.kind == RoleKind.UNIT_LIAISON}
        # Names a role may be shown as labels: where its roles are held, and the ancestors of those
        # places (breadcrumbs, public administrative divisions).
        self.labels: set[str] = set()
        for r in roles:
            place = r.area or r.unit.area
            self.labels |= {a.name for a in Area.objects.get_ancestors(place)} | {place.name}
            if r.unit:
                self.labels.add(r.unit.name)
        if self.units:
            # A unit's staff may live anywhere: a liaison picks residences from every place of the
            # map (place names are public; nothing else about those places is shown).
            self.labels |= set(Area.objects.values_list("name", flat=True))

    def _in(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)

    def sees(self, obj: models.Model) -> bool:
        if isinstance(obj, Notification):  # one's own only, whatever the roles
            return obj.recipient_id == self.user_id
        if isinstance(obj, ApiToken):  # one's own only, whatever the roles
            return obj.user_id == self.user_id
        if isinstance(obj, Area):
            return self._in(obj.path)
        if isinstance(obj, ResidentUnit):
            return self._in(obj.area.path) or obj.pk in self.units
        if isinstance(obj, PartyOrg):
            return self._in(obj.area.path) or obj.unit_id in self.units
        if isinstance(obj, Alliance):
            current = AllianceMember.objects.filter(alliance=obj, until__isnull=True)
            return self._in(obj.area.path) or current.filter(unit_id__in=self.units).exists()
        if isinstance(obj, Member):
            places = [obj.org.area.path]
            places += [obj.residence.path] if obj.residence else []
            places += [c.community.path for c in CoManagement.objects.filter(member=obj)]
            places += [r.community.path for r in MemberReport.objects.filter(member=obj)]
            # listed now in a ledger of the subtree (an open entry): today's ledger shows them
            places += [e.area.path for e in MemberCategory.objects.filter(member=obj, until__isnull=True)]
            return (
                any(self._in(p) for p in places)
                or obj.org.unit_id in self.units
                or obj.work_unit_id in self.units
                or obj.user_id == self.user_id
            )
        if isinstance(obj, MemberReport | MobileRecord | MemberCategory):
            return self.sees(obj.member)
        if isinstance(obj, UnitReport):
            return (
                self._in(obj.community.path) or self._in(obj.org.area.path) or obj.org.unit_id in self.units
            )
        if isinstance(obj, CoManagement):
            return self._in(obj.community.path) or obj.unit_id in self.units
        if isinstance(obj, Station):
            return self._in(obj.area.path) or self.away
        if isinstance(obj, Household):
            return self._in(obj.area.path)
        if isinstance(obj, Transfer):
            return any(self._in(o.area.path) or o.unit_id in self.units for o in (obj.from_org, obj.to_org))
        # co-building: agreements, committees, seats
        if isinstance(obj, Agreement):  # the host's area, the unit's area, or the liaison's own unit
            return self._in(obj.area.path) or self._in(obj.unit.area.path) or obj.unit_id in self.units
        if isinstance(obj, Committee):  # its area; for a liaison, a committee their unit has a seat on
            seated = PartTimeSeat.objects.filter(committee=obj, unit_id__in=self.units).exists()
            return self._in(obj.area.path) or seated
        if isinstance(obj, PartTimeSeat):
            return self._in(obj.committee.area.path) or obj.unit_id in self.units
        # co-building: meetings, action items, consultations
        if isinstance(obj, cb.JointMeeting):  # its area; for a liaison, a meeting their unit is invited to
            invited = cb.MeetingUnit.objects.filter(meeting=obj, unit_id__in=self.units).exists()
            return self._in(obj.area.path) or invited
        if isinstance(obj, cb.AgendaItem | cb.Attendance | cb.Pledge | cb.Resolution | cb.MeetingUnit):
            return self.sees(obj.meeting)
        if isinstance(obj, cb.ActionItem):  # its meeting's, and the owner unit's liaison
            owner_units = {obj.owner_unit_id, obj.owner_org.unit_id if obj.owner_org else None}
            return self.sees(obj.meeting) or bool(owner_units & self.units)
        if isinstance(obj, cb.Consultation):  # its area's administrators, and residents living inside it
            homes = Role.objects.filter(user_id=self.user_id, kind=RoleKind.RESIDENT, active=True)
            inside = any(r.area.path.startswith(obj.area.path) for r in homes if r.area)
            return self._in(obj.area.path) or inside
        # three lists: demands, resources, claims
        if isinstance(obj, Demand):
            # administrators: its area; liaisons: published within their unit's reach (its district,
            # the areas of its current alliances), or raised or claimed by their unit; members:
            # published micro-wishes of their community, or one they claimed; residents: their own
            published = obj.status in ("published", "claimed", "in_progress", "done", "evaluated", "closed")
            reach: list[str] = []
            today = timezone.localdate()
            for unit in ResidentUnit.objects.filter(pk__in=self.units):
                reach.append(unit.area.path[:8])
                for m in AllianceMember.objects.filter(unit=unit):
                    if m.since <= today and (m.until is None or m.until > today):
                        reach.append(m.alliance.area.path)
            homes = [
                r.area.path[:16]
                for r in Role.objects.filter(user_id=self.user_id, kind=RoleKind.MEMBER, active=True)
                if r.area and r.area.level >= 4
            ]
            return (
                self._in(obj.area.path)
                or (published and any(obj.area.path.startswith(p) for p in reach))
                or obj.raised_by_unit_id in self.units
                or Claim.objects.filter(demand=obj, claimant_unit_id__in=self.units).exists()
                or (
                    published and obj.kind == "micro_wish" and any(obj.area.path.startswith(h) for h in homes)
                )
                or Claim.objects.filter(demand=obj, claimant_member__user_id=self.user_id).exists()
                or obj.raised_by_id == self.user_id
            )
        if isinstance(obj, Resource):
            # administrators: its area, a published one serving an area of theirs (the listed areas,
            # else its district), or one an organisation of theirs claimed; the provider
            served = [a.path for a in obj.service_areas.all()] or [obj.area.path[:8]]
            serves = obj.status == "published" and any(
                s.startswith(p) or p.startswith(s) for s in served for p in self.paths
            )
            claimed = any(
                self._in(c.claimant_org.area.path)
                for c in Claim.objects.filter(resource=obj, claimant_org__isnull=False)
                if c.claimant_org
            )
            member = obj.provider_member
            return (
                self._in(obj.area.path)
                or serves
                or claimed
                or obj.provider_unit_id in self.units
                or (member is not None and member.user_id == self.user_id)
            )
        if isinstance(obj, Claim):
            # on a demand or resource of their area, or made by an organisation of it; a liaison's
            # unit claimed, offers or raised it; a member claimed or offers it
            target: Any = obj.demand or obj.resource
            provider = obj.resource.provider_member if obj.resource else None
            return (
                self._in(target.area.path)
                or (obj.claimant_org is not None and self._in(obj.claimant_org.area.path))
                or obj.claimant_unit_id in self.units
                or (obj.resource is not None and obj.resource.provider_unit_id in self.units)
                or (obj.demand is not None and obj.demand.raised_by_unit_id in self.units)
                or (obj.claimant_member is not None and obj.claimant_member.user_id == self.user_id)
                or (provider is not None and provider.user_id == self.user_id)
            )
        # three lists: projects, milestones, evidence, reports, ratings
        if isinstance(obj, Project):
            # administrators: its area; liaisons: their unit leads it (or its Party organisation
            # does) or joins it as a partner; members and residents: only the public board
            lead_units = {obj.lead_unit_id, obj.lead_org.unit_id if obj.lead_org else None}
            return (
                self._in(obj.area.path)
                or bool(lead_units & self.units)
                or obj.partners.filter(pk__in=self.units).exists()
            )
        if isinstance(obj, Milestone | ProjectEvidence | ProgressReport):
            return self.sees(obj.project)
        # service
        if isinstance(obj, sv.Volunteer):  # administrators of its area; the volunteer themself
            return self._in(obj.area.path) or obj.user_id == self.user_id
        if isinstance(obj, sv.ServiceTeam):  # its area; its unit's liaison; the people on it
            return self._in(obj.area.path) or obj.unit_id in self.units or self._on_team(obj, current=False)
        if isinstance(obj, sv.TeamMembership | sv.StandingDuty):
            return self.sees(obj.team)
        if isinstance(obj, sv.Activity):
            # its organisers; members and volunteers where it is open to the area at, above or
            # below their community, or of a team they are on; anyone who signed up or came
            homes = self._service_homes()
            near = any(h.startswith(obj.area.path) or obj.area.path.startswith(h) for h in homes)
            mine = sv.Attendance.objects.filter(activity=obj).filter(member__user_id=self.user_id).exists()
            mine = (
                mine or sv.Attendance.objects.filter(activity=obj, volunteer__user_id=self.user_id).exists()
            )
            return (
                self._organises(obj)
                or (obj.audience == "area" and near)
                or (obj.team is not None and self._on_team(obj.team, current=True))
                or mine
            )
        if isinstance(obj, sv.Attendance):  # the organisers, and one's own
            return self._organises(obj.activity) or self._own_person(obj)
        if isinstance(obj, sv.ServiceHours):
            # its area; one's own; for a liaison, the verified hours of their unit's staff who
            # registered with a community, and the hours of their unit's activities
            reported = MemberReport.objects.filter(member_id=obj.member_id, status="confirmed").exists()
            staff = obj.member is not None and obj.member.work_unit_id in self.units
            unit_activity = obj.attendance is not None and self._unit_activity(obj.attendance.activity)
            return (
                self._in(obj.area.path)
                or self._own_person(obj)
                or (obj.status == "verified" and staff and reported)
                or unit_activity
            )
        if isinstance(obj, sv.PointsRule):  # set at, above or below where the role administers or serves
            places = self.paths + self._service_homes()
            places += [u.area.path for u in ResidentUnit.objects.filter(pk__in=self.units)]
            return any(p.startswith(obj.area.path) or obj.area.path.startswith(p) for p in places)
        if isinstance(obj, sv.PointsEntry):
            return self._in(obj.area.path) or obj.member.user_id == self.user_id
        # appeals: administrators of its area; the liaison of the unit whose organisation handles
        # it; the resident who raised it online
        if isinstance(obj, Appeal):
            handler_unit = obj.assigned_org.unit_id if obj.assigned_org else None
            return (
                self._in(obj.area.path)
                or (handler_unit is not None and handler_unit in self.units)
                or obj.resident_id == self.user_id
            )
        # honours: the administrators over the node that organises the campaign
        if isinstance(obj, Campaign):
            return self._in(obj.area.path)
        if isinstance(obj, Honour):  # held inside the administrator's subtree
            return self._in(obj.area.path)
        raise AssertionError(obj)

    # service: helpers of the rules above
    def _service_homes(self) -> list[str]:
        homes = [
            r.area.path[:16]
            for r in Role.objects.filter(user_id=self.user_id, kind=RoleKind.MEMBER, active=True)
            if r.area
        ]
        for m in Member.objects.filter(user_id=self.user_id):
            homes.append(m.org.area.path[:16])
            homes += [m.residence.path[:16]] if m.residence else []
            homes += [
                r.community.path[:16]
                for r in MemberReport.objects.filter(member=m, status="confirmed", until__isnull=True)
            ]
            homes += [
                c.community.path[:16] for c in CoManagement.objects.filter(member=m, until__isnull=True)
            ]
        homes += [v.area.path[:16] for v in sv.Volunteer.objects.filter(user_id=self.user_id)]
        return homes

    def _on_team(self, team: Any, *, current: bool) -> bool:
        rows = sv.TeamMembership.objects.filter(team=team)
        if current:
            rows = rows.filter(until__isnull=True)
        return (
            rows.filter(member__user_id=self.user_id).exists()
            or rows.filter(volunteer__user_id=self.user_id).exists()
        )

    def _unit_activity(self, activity: Any) -> bool:
        units = {activity.unit_id, activity.team.unit_id if activity.team else None}
        units.add(activity.project.lead_unit_id if activity.project else None)
        return bool(units & self.units)

    def _organises(self, activity: Any) -> bool:
        return self._in(activity.area.path) or self._unit_activity(activity)

    def _own_person(self, row: Any) -> bool:
        return (row.member is not None and row.member.user_id == self.user_id) or (
            row.volunteer is not None and row.volunteer.user_id == self.user_id
        )


def _url(route: Route, pk: int, extra: dict[str, Any] | None = None) -> str:
    kwargs = {"pk": pk, **(extra or {})}
    return reverse(route.name, kwargs={k: kwargs[k] for k in route.kwargs})


def _extra(route: Route, obj: models.Model) -> dict[str, Any] | None:
    if "code" in route.kwargs:  # figures name an area by its code
        assert isinstance(obj, Area)
        return {"code": obj.code, "indicator": "members.direct"}
    if "member_pk" in route.kwargs:
        member = AllianceMember.objects.filter(alliance=obj).first()
        return {"member_pk": member.pk if member else 0}
    if "candidate_pk" in route.kwargs:
        candidate = CampaignEntry.objects.filter(campaign=obj).first()
        return {"candidate_pk": candidate.pk if candidate else 0}
    if "objection_pk" in route.kwargs:
        objection = Objection.objects.filter(campaign=obj).first()
        return {"objection_pk": objection.pk if objection else 0}
    if "entry_pk" in route.kwargs:
        entry = MemberCategory.objects.filter(member=obj).first()
        return {"entry_pk": entry.pk if entry else 0}
    return None


def test_every_route_is_classified():
    names = {r.name for r in all_routes()}
    missing = sorted(names - set(ROUTES))
    assert not missing, f"add these routes to ROUTES in {__file__} and to the walk: {missing}"
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"these routes no longer exist: {stale}"


def _sentinels(oracle: Oracle) -> list[str]:
    """Distinctive names of rows the role may not see: none may appear in any response."""
    names: list[str] = []
    for model in (Area, ResidentUnit, PartyOrg, Alliance, Member, Station):
        for obj in model.objects.all():
            if not oracle.sees(obj) and len(obj.name) >= 3:
                names.append(obj.name)
    return names


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_nothing_outside_scope_is_readable_or_changeable(world: World, role: str) -> None:
    build_every_app(world)
    user = getattr(world, role)
    oracle = Oracle(user)
    client = Client()
    client.force_login(user)
    # a job of someone else's, which nobody but its owner may open
    foreign_job = Job.objects.create(kind="map_import", actor=world.superuser, status="done")
    # a notification of someone else's, and one of the role's own (which it may open)
    Notification.objects.create(recipient=world.superuser, kind="walk", title="walk", url="/")
    Notification.objects.create(recipient=user, kind="walk", title="walk", url="/")
    # an API token of someone else's, which nobody else may revoke
    ApiToken.objects.create(user=world.superuser, name="walk", digest="0" * 64, prefix="walk0000")
    audit_before = AuditEntry.objects.count()
    sentinels = _sentinels(oracle)
    forbidden_names = [n for n in sentinels if not any(n in s for s in _visible_names(oracle))]
    checked_objects = 0
    postgres = connection.vendor == "postgresql"
    writes_per_route = WRITES_PER_ROUTE_PG if postgres else WRITES_PER_ROUTE
    opens_per_route = OPENS_PER_ROUTE_PG if postgres else OPENS_PER_ROUTE
    # nothing changes during the walk (checked at the end): the oracle answers once per object
    sees: dict[tuple[type[models.Model], int], bool] = {}
    turns: dict[type[models.Model], int] = {}  # the routes of each model seen so far

    for route in all_routes():
        kind = ROUTES[route.name]
        if kind == "public":
            continue
        if isinstance(kind, type) and issubclass(kind, models.Model):
            objects = [foreign_job] if kind is Job else list(kind.objects.all())
            for obj in objects:
                if (kind, obj.pk) not in sees:
                    sees[kind, obj.pk] = kind is not Job and oracle.sees(obj)
            outside = [obj for obj in objects if not sees[kind, obj.pk]]
            turn = turns.get(kind, 0)
            turns[kind] = turn + 1
            shift = turn * writes_per_route % len(outside) if outside else 0
            write_on = {obj.pk for obj in (outside[shift:] + outside[:shift])[:writes_per_route]}
            opened = 0
            for obj in objects:
                visible = sees[kind, obj.pk]
                if visible and opened >= opens_per_route:
                    continue  # what the role may see is the other tests' business; a few suffice here
                opened += visible
                url = _url(route, obj.pk, _extra(route, obj))
                get = client.get(url)
                if visible:
                    # readable objects open; forms to change them may still be refused (403)
                    expected = (200,) if route.name.endswith("detail") else (200, 302, 403, 405)
                    assert get.status_code in expected, (role, url, get.status_code)
                    continue
                checked_objects += 1
                assert get.status_code in (403, 404, 405), (role, url, get.status_code)
                # Every object outside the scope is read; writes are tried on a few of them on each
                # route (the refusal comes from the same scoped look-up as the read), which keeps
                # the walk within minutes as the platform grows.
                if obj.pk not in write_on:
                    continue
                data = {"name": "x", "reason": "walk", "until": "2030-01-01", "member": 1}
                responses = [client.post(url, data)] + [
                    getattr(client, m)(url, data=data, content_type="application/json")
                    for m in ("post", "patch", "put", "delete")
                ]
                for resp in responses:
                    assert resp.status_code in (403, 404, 405), (
                        role,
                        resp.request["REQUEST_METHOD"],
                        url,
                        resp.status_code,
                    )
        else:
            url = reverse(route.name)
            resp = client.get(url)
            assert resp.status_code in (200, 302, 400, 403, 404, 405), (role, url, resp.status_code)
            body = resp.content.decode("utf-8", "ignore")
            for name in forbidden_names:
                assert name not in body, (role, url, name)
            # lists filtered to an area outside the scope answer 404, not an empty or full list
            outside = next((a for a in Area.objects.all() if not oracle.sees(a)), None)
            if outside is not None and resp.status_code == 200 and route.name in WITHIN_LISTS:
                assert client.get(url, {"within": outside.pk}).status_code == 404, (role, url)
    # nothing was written by any of it
    assert AuditEntry.objects.count() == audit_before, role
    if role not in ("city_admin",):
        assert checked_objects > 0, role


def _visible_names(oracle: Oracle) -> list[str]:
    own = [
        obj.name
        for model in (Area, ResidentUnit, PartyOrg, Alliance, Member, Station)
        for obj in model.objects.all()
        if oracle.sees(obj)
    ]
    # Rows a role sees name what they point at: an alliance its convener and area, a member their
    # organisation, residence and employer, a plaque the street that awarded it, a transfer both
    # organisations.
    pointed = [
        name
        for obj in [
            *Alliance.objects.all(),
            *Member.objects.all(),
            *Household.objects.all(),
            *Transfer.objects.all(),
            *MemberReport.objects.all(),
            *CoManagement.objects.all(),
            *UnitReport.objects.all(),
            *MobileRecord.objects.all(),
        ]
        if oracle.sees(obj)
        for name in _pointed_names(obj)
    ]
    return own + sorted(oracle.labels) + pointed


def _pointed_names(obj: models.Model) -> list[str]:
    names = []
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.related_model in (Area, PartyOrg, ResidentUnit, Member, Alliance):
            target = getattr(obj, field.name)
            if target is not None:
                names.append(target.name)
                if isinstance(target, PartyOrg | ResidentUnit | Member):
                    names.extend(_pointed_names(target))
    return names


@pytest.mark.parametrize("role", ["wjl_admin", "jsh_admin", "liaison", "member"])
def test_creating_into_another_scope_changes_nothing(world: World, role: str) -> None:
    user = getattr(world, role)
    oracle = Oracle(user)
    target = next(a for a in (world.jsh, world.wjl) if not oracle.sees(a))
    client = Client()
    client.force_login(user)
    before = (
        AuditEntry.objects.count(),
        Area.objects.count(),
        ResidentUnit.objects.count(),
        PartyOrg.objects.count(),
    )
    attempts = [
        (reverse("area-list"), {"parent": target.pk, "name": "越界小区", "level": 5}),
        (
            reverse("unit-list"),
            {"name": "越界单位", "credit_code": "12430105000030038X", "kind": "private", "area": target.pk},
        ),
        (
            reverse("party-org-list"),
            {"name": "越界支部", "kind": "branch", "code": "PO-OUT", "area": target.pk},
        ),
        (
            reverse("orgs:unit_create"),
            {
                "name": "越界单位",
                "credit_code": "12430105000030038X",
                "kind": "private",
                "rank": "none",
                "area": target.pk,
            },
        ),
        (
            reverse("orgs:org_create"),
            {"name": "越界支部", "kind": "branch", "code": "PO-OUT", "area": target.pk},
        ),
    ]
    for url, data in attempts:
        resp = client.post(url, data)
        assert resp.status_code in (200, 400, 403, 404), (url, resp.status_code)
    after = (
        AuditEntry.objects.count(),
        Area.objects.count(),
        ResidentUnit.objects.count(),
        PartyOrg.objects.count(),
    )
    assert after == before
