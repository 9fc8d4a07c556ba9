"""Every write of service records: ``noun_verb(*, actor, ...)``, one transaction, one audit entry.

Who may write:

- teams and volunteers: administrators whose subtree holds the team's (volunteer's) area; a
  unit's liaison for the unit's teams;
- activities: their organisers — administrators over the activity's area, and for an activity of
  a unit (itself, its team or a project it leads) that unit's liaison;
- sign-up, sign-in and sign-out: the person themself (an account linked to a ``Member`` or a
  ``Volunteer``); sign-in and sign-out by scanning the activity's rotating QR code, or by the
  organiser by hand;
- hours: the activity's organiser verifies attendance; a member's own logged hours are verified
  by an administrator over the community they were logged for; corrections need a reason;
- points: rules by administrators; claims by the member; decisions by the rule's approver role
  (or a higher administrator) over the entry's area.

The QR code rotates: its token is an HMAC of the activity's secret and the current 30-second
window; the current and the previous window are accepted, so a photo of the code stops working
within a minute.

The services live by aggregate: ``permissions`` (who may write), ``teams`` (teams, duties,
volunteers), ``activities`` (activities, sign-up, QR sign-in, attendance, reminders), ``hours``
(verification, logged hours, corrections) and ``points`` (rules, claims, decisions). Every public
name is re-exported here, so ``from gongjian.service.services import x`` keeps working.
"""

from __future__ import annotations

from .activities import (
    MAX_HOURS_A_DAY,
    QUARTER,
    REMIND_BEFORE,
    SCAN_MARGIN,
    activities_remind,
    activities_sequence,
    activity_cancel,
    activity_code,
    activity_create,
    activity_sign_up,
    activity_sign_up_cancel,
    activity_update,
    attendance_record,
    attendance_scan,
    compute_hours,
    scan_window,
    selectors_hours_locked,
)
from .hours import (
    activity_verify_bulk,
    attendance_verify,
    hours_correct,
    hours_decide,
    hours_log,
)
from .permissions import (
    activity_create_allowed,
    activity_manage_allowed,
    activity_signup_allowed,
    hours_correct_allowed,
    hours_decide_allowed,
    points_claim_allowed,
    points_decide_allowed,
    points_rule_create_allowed,
    points_rule_manage_allowed,
    team_create_allowed,
    team_manage_allowed,
    volunteer_manage_allowed,
)
from .points import (
    points_claim,
    points_entry_decide,
    points_rule_create,
    points_rule_update,
)
from .teams import (
    duty_add,
    duty_end,
    team_create,
    team_member_add,
    team_member_end,
    team_status_set,
    team_update,
    volunteer_create,
    volunteer_reveal,
    volunteer_update,
)

__all__ = [
    "MAX_HOURS_A_DAY",
    "QUARTER",
    "REMIND_BEFORE",
    "SCAN_MARGIN",
    "activities_remind",
    "activities_sequence",
    "activity_cancel",
    "activity_code",
    "activity_create",
    "activity_create_allowed",
    "activity_manage_allowed",
    "activity_sign_up",
    "activity_sign_up_cancel",
    "activity_signup_allowed",
    "activity_update",
    "activity_verify_bulk",
    "attendance_record",
    "attendance_scan",
    "attendance_verify",
    "compute_hours",
    "duty_add",
    "duty_end",
    "hours_correct",
    "hours_correct_allowed",
    "hours_decide",
    "hours_decide_allowed",
    "hours_log",
    "points_claim",
    "points_claim_allowed",
    "points_decide_allowed",
    "points_entry_decide",
    "points_rule_create",
    "points_rule_create_allowed",
    "points_rule_manage_allowed",
    "points_rule_update",
    "scan_window",
    "selectors_hours_locked",
    "team_create",
    "team_create_allowed",
    "team_manage_allowed",
    "team_member_add",
    "team_member_end",
    "team_status_set",
    "team_update",
    "volunteer_create",
    "volunteer_manage_allowed",
    "volunteer_reveal",
    "volunteer_update",
]
