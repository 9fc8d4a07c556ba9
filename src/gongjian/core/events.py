"""The event catalogue: every state change a service makes, by name.

Each member of :class:`Event` is one kind of change. Its value is the action written to the audit
log (``core.audit.audit_record`` takes an ``Event``; stored entries and their HMAC chain keep the
same strings), with a label for people (``Event.X.label``, translated with the message context
``event``) and who should hear of it (``Event.X.audience``, a set of :class:`Audience`; a change
that only the audit log records says why in ``Event.X.why``).

The catalogue is data, not behaviour: notifications are still sent by the services that send them
today; the audiences say what they reach, so that notifications can subscribe to the catalogue.

To add an event: add a member here (``NOUN_VERB = "noun.verb", pgettext_lazy("event", "…"),
{audience}``, or ``{_A.AUDIT_ONLY}, "the reason"``), translate its label in the catalogues
(``gongjian makemessages`` then ``gongjian translations merge|hant``), and pass it to
``audit_record`` from the service. ``core/tests/test_events.py`` walks the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


class Audience(StrEnum):
    """Who should hear of an event (relative to the change: resolved by the subscriber)."""

    ACTOR = "actor"  # the person who acted (a confirmation)
    OWN_ORG = "own_org"  # the organisation the change belongs to (the one that raised, published …)
    OTHER_SIDE = "other_side"  # the other side: of a claim, an agreement, a transfer, a report
    LEVEL_ABOVE = "level_above"  # the level above the area or organisation
    NEXT_STEP = "next_step"  # whoever takes the next step (reviews, screens, approves, verifies)
    PERSON = "person"  # the member, volunteer or user the change is about
    RESIDENT = "resident"  # the resident who asked (appeals, consultations)
    ASSIGNEE = "assignee"  # the organisation or unit given the work (appeals, action items, 交办)
    PARTICIPANTS = "participants"  # those invited, signed up or in the team
    AREA_ADMINS = "area_admins"  # the administrators of the area
    AUDIT_ONLY = "audit_only"  # nobody: the audit log records it (the member says why)


_A = Audience


class Event(StrEnum):
    """Every state change by name; the value is the audit log's action string."""

    _value_: str
    label: Promise
    audience: frozenset[Audience]
    why: str

    def __new__(cls, value: str, label: Promise, audience: Iterable[Audience], why: str = "") -> Event:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.audience = frozenset(audience)
        member.why = why
        return member

    @property
    def audit_only(self) -> bool:
        return self.audience == {Audience.AUDIT_ONLY}

    @property
    def act(self) -> bool:
        """Someone must act on it (review, accept, answer, do the work): never turned off."""
        return bool(self.audience & ACT_AUDIENCES) or self in MUST_ACT

    @property
    def notice_kind(self) -> str:
        """The kind of the notification the service sends for this event today ("" for none)."""
        return NOTICE_KINDS.get(self, "")

    # action
    ACTION_ADD = "action.add", pgettext_lazy("event", "Action item added"), {_A.ASSIGNEE}
    ACTION_CLOSE = "action.close", pgettext_lazy("event", "Action item closed"), {_A.OTHER_SIDE}
    # activity
    ACTIVITY_CANCEL = "activity.cancel", pgettext_lazy("event", "Activity cancelled"), {_A.PARTICIPANTS}
    ACTIVITY_CREATE = "activity.create", pgettext_lazy("event", "Activity created"), {_A.PARTICIPANTS}
    ACTIVITY_SIGN_UP = "activity.sign_up", pgettext_lazy("event", "Signed up for an activity"), {_A.ACTOR}
    ACTIVITY_SIGN_UP_CANCEL = (
        "activity.sign_up_cancel",
        pgettext_lazy("event", "Sign-up cancelled"),
        {_A.AUDIT_ONLY},
        "the organiser reads the sign-up list on the activity's page",
    )
    ACTIVITY_UPDATE = "activity.update", pgettext_lazy("event", "Activity changed"), {_A.PARTICIPANTS}
    # agenda
    AGENDA_ACCEPT = "agenda.accept", pgettext_lazy("event", "Topic accepted"), {_A.OTHER_SIDE}
    AGENDA_ADD = (
        "agenda.add",
        pgettext_lazy("event", "Agenda item added"),
        {_A.AUDIT_ONLY},
        "the convener's own agenda, sent as a whole with the agenda",
    )
    AGENDA_DECLINE = "agenda.decline", pgettext_lazy("event", "Topic declined"), {_A.OTHER_SIDE}
    AGENDA_MOVE = (
        "agenda.move",
        pgettext_lazy("event", "Agenda item moved"),
        {_A.AUDIT_ONLY},
        "the order of the agenda, sent as a whole with the agenda",
    )
    AGENDA_OUTCOME = (
        "agenda.outcome",
        pgettext_lazy("event", "Outcome of an agenda item recorded"),
        {_A.PARTICIPANTS},
    )
    AGENDA_PROPOSE = "agenda.propose", pgettext_lazy("event", "Topic proposed"), {_A.OTHER_SIDE}
    # agreement
    AGREEMENT_CREATE = "agreement.create", pgettext_lazy("event", "Agreement drafted"), {_A.OTHER_SIDE}
    AGREEMENT_DEMO_LOAD = (
        "agreement.demo_load",
        pgettext_lazy("event", "Demo agreements loaded"),
        {_A.AUDIT_ONLY},
        "demo data written by the loader",
    )
    AGREEMENT_END = "agreement.end", pgettext_lazy("event", "Agreement ended"), {_A.OTHER_SIDE}
    AGREEMENT_REVIEW = (
        "agreement.review",
        pgettext_lazy("event", "Agreement reviewed"),
        {_A.OTHER_SIDE, _A.LEVEL_ABOVE},
    )
    AGREEMENT_SIGN = (
        "agreement.sign",
        pgettext_lazy("event", "Agreement signed"),
        {_A.OTHER_SIDE, _A.LEVEL_ABOVE},
    )
    AGREEMENT_STATUS = (
        "agreement.status",
        pgettext_lazy("event", "Status of an agreement changed"),
        {_A.OTHER_SIDE},
    )
    AGREEMENT_UPDATE = "agreement.update", pgettext_lazy("event", "Agreement changed"), {_A.OTHER_SIDE}
    # alliance
    ALLIANCE_CREATE = "alliance.create", pgettext_lazy("event", "Alliance formed"), {_A.AREA_ADMINS}
    ALLIANCE_MEMBER_ADD = (
        "alliance.member_add",
        pgettext_lazy("event", "Unit joined an alliance"),
        {_A.OTHER_SIDE},
    )
    ALLIANCE_MEMBER_END = (
        "alliance.member_end",
        pgettext_lazy("event", "Unit left an alliance"),
        {_A.OTHER_SIDE},
    )
    ALLIANCE_UPDATE = (
        "alliance.update",
        pgettext_lazy("event", "Alliance changed"),
        {_A.AUDIT_ONLY},
        "an edit of the alliance's record, shown on its page",
    )
    # appeal
    APPEAL_ANSWER = "appeal.answer", pgettext_lazy("event", "Appeal answered"), {_A.RESIDENT}
    APPEAL_ASSIGN = "appeal.assign", pgettext_lazy("event", "Appeal assigned"), {_A.ASSIGNEE}
    APPEAL_CALL_BACK = (
        "appeal.call_back",
        pgettext_lazy("event", "Resident called back"),
        {_A.ASSIGNEE},
    )
    APPEAL_HAND_OFF = (
        "appeal.hand_off",
        pgettext_lazy("event", "Appeal handed off, waiting for acceptance"),
        {_A.ASSIGNEE},
    )
    APPEAL_ACCEPT_HANDOFF = (
        "appeal.accept_handoff",
        pgettext_lazy("event", "Hand-off of an appeal accepted"),
        {_A.OTHER_SIDE},
    )
    APPEAL_RETURN_HANDOFF = (
        "appeal.return_handoff",
        pgettext_lazy("event", "Hand-off of an appeal returned"),
        {_A.OTHER_SIDE},
    )
    APPEAL_EXPIRE_HANDOFF = (
        "appeal.expire_handoff",
        pgettext_lazy("event", "Hand-off of an appeal not accepted in time"),
        {_A.OTHER_SIDE},
    )
    APPEAL_CLOSE = "appeal.close", pgettext_lazy("event", "Appeal closed"), {_A.RESIDENT, _A.NEXT_STEP}
    APPEAL_RATE = "appeal.rate", pgettext_lazy("event", "Appeal rated by the resident"), {_A.ASSIGNEE}
    APPEAL_REASSIGN = "appeal.reassign", pgettext_lazy("event", "Appeal reassigned"), {_A.ASSIGNEE}
    APPEAL_REGISTER = "appeal.register", pgettext_lazy("event", "Appeal registered"), {_A.AREA_ADMINS}
    APPEAL_SOLVE = "appeal.solve", pgettext_lazy("event", "Appeal solved"), {_A.RESIDENT}
    APPEAL_REOPEN = (
        "appeal.reopen",
        pgettext_lazy("event", "Appeal reopened"),
        {_A.RESIDENT, _A.ASSIGNEE},
    )
    CALENDAR_LOAD = (
        "calendar.load",
        pgettext_lazy("event", "Working-day calendar loaded"),
        {_A.AUDIT_ONLY},
        "platform data loaded by a platform administrator; appeals registered later use it",
    )
    # area
    AREA_CREATE = (
        "area.create",
        pgettext_lazy("event", "Area created"),
        {_A.AUDIT_ONLY},
        "a change of the map, seen on the area tree",
    )
    AREA_UPDATE = (
        "area.update",
        pgettext_lazy("event", "Area changed"),
        {_A.AUDIT_ONLY},
        "a change of the map, seen on the area tree",
    )
    # attendance
    ATTENDANCE_RECORD = "attendance.record", pgettext_lazy("event", "Attendance recorded"), {_A.PERSON}
    ATTENDANCE_SIGN_IN = (
        "attendance.sign_in",
        pgettext_lazy("event", "Signed in at an activity"),
        {_A.AUDIT_ONLY},
        "the person signed in themself",
    )
    ATTENDANCE_SIGN_OUT = (
        "attendance.sign_out",
        pgettext_lazy("event", "Signed out of an activity"),
        {_A.AUDIT_ONLY},
        "the person signed out themself",
    )
    # audit
    AUDIT_EXPORT = (
        "audit.export",
        pgettext_lazy("event", "Audit log exported"),
        {_A.AUDIT_ONLY},
        "kept for the audit of personal data, which is its purpose",
    )
    # campaign
    CAMPAIGN_CREATE = (
        "campaign.create",
        pgettext_lazy("event", "Appraisal campaign opened"),
        {_A.AUDIT_ONLY},
        "the organiser's draft, on the campaign's page until it is published",
    )
    CAMPAIGN_CRITERION_ADD = (
        "campaign.criterion_add",
        pgettext_lazy("event", "Criterion added to a campaign"),
        {_A.AUDIT_ONLY},
        "the organiser's draft, on the campaign's page until it is published",
    )
    CAMPAIGN_NOMINATE = (
        "campaign.nominate",
        pgettext_lazy("event", "Candidate nominated"),
        {_A.AUDIT_ONLY},
        "the organiser reads the nominations on the campaign's page",
    )
    CAMPAIGN_PANEL_SCORE = (
        "campaign.panel_score",
        pgettext_lazy("event", "Panel score entered"),
        {_A.AUDIT_ONLY},
        "the panel's own work, shown with its evidence in the score's parts",
    )
    CAMPAIGN_SCORE = (
        "campaign.score",
        pgettext_lazy("event", "Campaign scored from the figures"),
        {_A.AUDIT_ONLY},
        "the ranking is reviewed by the organiser on the campaign's page before it is published",
    )
    CAMPAIGN_ADJUST = (
        "campaign.adjust",
        pgettext_lazy("event", "Score adjusted by the panel"),
        {_A.AUDIT_ONLY},
        "the adjustment and its reason are shown beside the score on the published list",
    )
    CAMPAIGN_PUBLISH = (
        "campaign.publish",
        pgettext_lazy("event", "Appraisal list published for public notice"),
        {_A.AREA_ADMINS},
    )
    CAMPAIGN_AWARD = "campaign.award", pgettext_lazy("event", "Honours awarded"), {_A.AREA_ADMINS}
    # claim
    CLAIM_ACCEPT = "claim.accept", pgettext_lazy("event", "Claim accepted"), {_A.OTHER_SIDE}
    CLAIM_CREATE = "claim.create", pgettext_lazy("event", "Claimed"), {_A.OTHER_SIDE}
    CLAIM_DECLINE = "claim.decline", pgettext_lazy("event", "Claim declined"), {_A.OTHER_SIDE}
    CLAIM_DEMO_LOAD = (
        "claim.demo_load",
        pgettext_lazy("event", "Demo claims loaded"),
        {_A.AUDIT_ONLY},
        "demo data written by the loader",
    )
    CLAIM_WITHDRAW = "claim.withdraw", pgettext_lazy("event", "Claim withdrawn"), {_A.OTHER_SIDE}
    # committee
    COMMITTEE_CREATE = "committee.create", pgettext_lazy("event", "Committee formed"), {_A.AREA_ADMINS}
    # consultation
    CONSULTATION_ANSWER = (
        "consultation.answer",
        pgettext_lazy("event", "Household answered a consultation"),
        {_A.AUDIT_ONLY},
        "one household's answer, counted in the support rate",
    )
    CONSULTATION_ATTACH = (
        "consultation.attach",
        pgettext_lazy("event", "Consultation linked to a meeting"),
        {_A.AUDIT_ONLY},
        "a link between two records, shown on both",
    )
    CONSULTATION_CREATE = "consultation.create", pgettext_lazy("event", "Consultation opened"), {_A.RESIDENT}
    CONSULTATION_DEMO_LOAD = (
        "consultation.demo_load",
        pgettext_lazy("event", "Demo consultations loaded"),
        {_A.AUDIT_ONLY},
        "demo data written by the loader",
    )
    CONSULTATION_UPDATE = (
        "consultation.update",
        pgettext_lazy("event", "Consultation changed"),
        {_A.AUDIT_ONLY},
        "an edit of the consultation's record, shown on its page",
    )
    # demand
    DEMAND_ASSIGN = "demand.assign", pgettext_lazy("event", "Demand assigned at a meeting"), {_A.ASSIGNEE}
    DEMAND_DEMO_LOAD = (
        "demand.demo_load",
        pgettext_lazy("event", "Demo demands loaded"),
        {_A.AUDIT_ONLY},
        "demo data written by the loader",
    )
    DEMAND_EXPIRE = "demand.expire", pgettext_lazy("event", "Demand expired"), {_A.OWN_ORG}
    DEMAND_PUBLISH = "demand.publish", pgettext_lazy("event", "Demand published"), {_A.OWN_ORG}
    DEMAND_RAISE = "demand.raise", pgettext_lazy("event", "Demand raised"), {_A.NEXT_STEP}
    DEMAND_REJECT = "demand.reject", pgettext_lazy("event", "Demand sent back"), {_A.OWN_ORG}
    DEMAND_REVIEW = (
        "demand.review",
        pgettext_lazy("event", "Demand reviewed"),
        {_A.AUDIT_ONLY},
        "a mark for the reviewers' own list",
    )
    DEMAND_UPDATE = (
        "demand.update",
        pgettext_lazy("event", "Demand changed"),
        {_A.AUDIT_ONLY},
        "an edit of the demand's record, shown on its page",
    )
    DEMAND_WITHDRAW = "demand.withdraw", pgettext_lazy("event", "Demand withdrawn"), {_A.OTHER_SIDE}
    # figures
    FIGURES_PRINT = (
        "figures.print",
        pgettext_lazy("event", "Report printed and its figures kept"),
        {_A.AUDIT_ONLY},
        "the kept snapshot of a report; a reprint shows it with its fingerprint",
    )
    # history
    HISTORY_CORRECT = (
        "history.correct",
        pgettext_lazy("event", "Past figures corrected"),
        {_A.AREA_ADMINS, _A.LEVEL_ABOVE},
    )
    # hours
    HOURS_CORRECT = "hours.correct", pgettext_lazy("event", "Service hours corrected"), {_A.PERSON}
    HOURS_LOG = "hours.log", pgettext_lazy("event", "Service hours logged"), {_A.NEXT_STEP}
    HOURS_REJECT = "hours.reject", pgettext_lazy("event", "Service hours rejected"), {_A.PERSON}
    HOURS_VERIFY = "hours.verify", pgettext_lazy("event", "Service hours verified"), {_A.PERSON}
    HOURS_VERIFY_BULK = (
        "hours.verify_bulk",
        pgettext_lazy("event", "Service hours verified in bulk"),
        {_A.PERSON},
    )
    # household
    HOUSEHOLD_AWARD = "household.award", pgettext_lazy("event", "Household plaque awarded"), {_A.PERSON}
    HOUSEHOLD_WITHDRAW = (
        "household.withdraw",
        pgettext_lazy("event", "Household plaque withdrawn"),
        {_A.PERSON},
    )
    # jointmeeting
    JOINTMEETING_DEMO_LOAD = (
        "jointmeeting.demo_load",
        pgettext_lazy("event", "Demo joint meetings loaded"),
        {_A.AUDIT_ONLY},
        "demo data written by the loader",
    )
    # matching
    MATCHING_PAIR_ACCEPT = (
        "matching.pair_accept",
        pgettext_lazy("event", "Pair accepted in a claiming session"),
        {_A.AUDIT_ONLY},
        "a proposal on the session's screen, in front of both sides; the commit tells them",
    )
    MATCHING_PAIR_DROP = (
        "matching.pair_drop",
        pgettext_lazy("event", "Pair dropped in a claiming session"),
        {_A.AUDIT_ONLY},
        "a proposal on the session's screen, in front of both sides",
    )
    MATCHING_PAIR_RELEASE = (
        "matching.pair_release",
        pgettext_lazy("event", "Pair taken back in a claiming session"),
        {_A.AUDIT_ONLY},
        "a proposal on the session's screen, in front of both sides",
    )
    MATCHING_PAIR_SWAP = (
        "matching.pair_swap",
        pgettext_lazy("event", "Pair swapped in a claiming session"),
        {_A.AUDIT_ONLY},
        "a proposal on the session's screen, in front of both sides; the commit tells them",
    )
    MATCHING_RECOMMENDATION_DECLINE = (
        "matching.recommendation_decline",
        pgettext_lazy("event", "Recommendation marked not a match"),
        {_A.AUDIT_ONLY},
        "a label for the matching's evaluation; the pair is no longer recommended, nobody waits for it",
    )
    MATCHING_SESSION_COMMIT = (
        "matching.session_commit",
        pgettext_lazy("event", "Claiming session committed"),
        {_A.OTHER_SIDE},
    )
    MATCHING_SESSION_PROPOSE = (
        "matching.session_propose",
        pgettext_lazy("event", "Pairs proposed in a claiming session"),
        {_A.AUDIT_ONLY},
        "proposals on the session's screen, in front of both sides",
    )
    MATCHING_SESSION_START = (
        "matching.session_start",
        pgettext_lazy("event", "Claiming session started"),
        {_A.AUDIT_ONLY},
        "the session runs on the screen of the meeting",
    )
    # meeting
    MEETING_AGREEMENT = (
        "meeting.agreement",
        pgettext_lazy("event", "Agreement signed at a meeting"),
        {_A.AUDIT_ONLY},
        "the agreement's own events tell its partner",
    )
    MEETING_ATTENDANCE_ADD = (
        "meeting.attendance_add",
        pgettext_lazy("event", "Meeting attendance recorded"),
        {_A.AUDIT_ONLY},
        "a record of who came, shown on the meeting's page",
    )
    MEETING_CANCEL = "meeting.cancel", pgettext_lazy("event", "Joint meeting cancelled"), {_A.PARTICIPANTS}
    MEETING_CLOSE = "meeting.close", pgettext_lazy("event", "Minutes archived"), {_A.PARTICIPANTS}
    MEETING_CONVENE = "meeting.convene", pgettext_lazy("event", "Joint meeting convened"), {_A.PARTICIPANTS}
    MEETING_HOLD = (
        "meeting.hold",
        pgettext_lazy("event", "Joint meeting held"),
        {_A.AUDIT_ONLY},
        "the meeting day itself; the invited are there",
    )
    MEETING_MINUTES = (
        "meeting.minutes",
        pgettext_lazy("event", "Minutes written"),
        {_A.AUDIT_ONLY},
        "a draft until the minutes are archived",
    )
    MEETING_PLEDGE = (
        "meeting.pledge",
        pgettext_lazy("event", "Pledge recorded at a meeting"),
        {_A.AUDIT_ONLY},
        "made at the meeting, in front of the units",
    )
    MEETING_SEND_AGENDA = (
        "meeting.send_agenda",
        pgettext_lazy("event", "Agenda sent to the level above"),
        {_A.LEVEL_ABOVE, _A.PARTICIPANTS},
    )
    MEETING_SIGN_IN = (
        "meeting.sign_in",
        pgettext_lazy("event", "Signed in at a meeting"),
        {_A.AUDIT_ONLY},
        "the person signed in themself",
    )
    MEETING_UNIT_ADD = (
        "meeting.unit_add",
        pgettext_lazy("event", "Unit invited to a meeting"),
        {_A.PARTICIPANTS},
    )
    MEETING_UNIT_REMOVE = (
        "meeting.unit_remove",
        pgettext_lazy("event", "Invitation withdrawn"),
        {_A.PARTICIPANTS},
    )
    MEETING_UPDATE = "meeting.update", pgettext_lazy("event", "Joint meeting changed"), {_A.PARTICIPANTS}
    # member
    MEMBER_BULK_CREATE = (
        "member.bulk_create",
        pgettext_lazy("event", "Members added in bulk"),
        {_A.AUDIT_ONLY},
        "a batch; each member's record shows it",
    )
    MEMBER_BULK_UPDATE = (
        "member.bulk_update",
        pgettext_lazy("event", "Members changed in bulk"),
        {_A.AUDIT_ONLY},
        "a batch; each member's record shows it",
    )
    MEMBER_CATEGORY_ADD = (
        "member.category_add",
        pgettext_lazy("event", "Member entered in a ledger"),
        {_A.PERSON},
    )
    MEMBER_CATEGORY_END = (
        "member.category_end",
        pgettext_lazy("event", "Member taken off a ledger"),
        {_A.PERSON},
    )
    MEMBER_CO_MANAGEMENT_ADD = (
        "member.co_management_add",
        pgettext_lazy("event", "Member put under co-management"),
        {_A.OTHER_SIDE},
    )
    MEMBER_CO_MANAGEMENT_END = (
        "member.co_management_end",
        pgettext_lazy("event", "Co-management ended"),
        {_A.OTHER_SIDE},
    )
    MEMBER_CREATE = (
        "member.create",
        pgettext_lazy("event", "Member added"),
        {_A.AUDIT_ONLY},
        "a new ledger record; the member hears when an account is linked",
    )
    MEMBER_IMPORT_CREATE = (
        "member.import_create",
        pgettext_lazy("event", "Members imported"),
        {_A.AUDIT_ONLY},
        "an import; its job's report says what it did",
    )
    MEMBER_IMPORT_UPDATE = (
        "member.import_update",
        pgettext_lazy("event", "Members updated by an import"),
        {_A.AUDIT_ONLY},
        "an import; its job's report says what it did",
    )
    MEMBER_LINK_USER = "member.link_user", pgettext_lazy("event", "Member linked to an account"), {_A.PERSON}
    MEMBER_SYNTH_CREATE = (
        "member.synth_create",
        pgettext_lazy("event", "Synthetic members generated"),
        {_A.AUDIT_ONLY},
        "synthetic data written by the city generator",
    )
    MEMBER_UPDATE = (
        "member.update",
        pgettext_lazy("event", "Member changed"),
        {_A.AUDIT_ONLY},
        "an edit of the ledger record, shown on its page",
    )
    # mobile
    MOBILE_CREATE = "mobile.create", pgettext_lazy("event", "Mobile member registered"), {_A.PERSON}
    MOBILE_END = "mobile.end", pgettext_lazy("event", "Mobile record ended"), {_A.PERSON}
    MOBILE_REPORT_BACK = (
        "mobile.report_back",
        pgettext_lazy("event", "Mobile member reported back"),
        {_A.OWN_ORG},
    )
    # notification
    NOTIFICATION_READ = (
        "notification.read",
        pgettext_lazy("event", "Notification read"),
        {_A.AUDIT_ONLY},
        "reading is the hearing",
    )
    NOTIFICATION_READ_ALL = (
        "notification.read_all",
        pgettext_lazy("event", "All notifications read"),
        {_A.AUDIT_ONLY},
        "reading is the hearing",
    )
    NOTIFICATION_PREFERENCES = (
        "notification.preferences",
        pgettext_lazy("event", "Notification settings changed"),
        {_A.AUDIT_ONLY},
        "the person's own choice, changed by themself",
    )
    NOTIFICATION_SEND = (
        "notification.send",
        pgettext_lazy("event", "Notification sent"),
        {_A.AUDIT_ONLY},
        "the notification is itself what is heard",
    )
    # objection
    OBJECTION_FILE = (
        "objection.file",
        pgettext_lazy("event", "Objection to a published list"),
        {_A.NEXT_STEP},
    )
    OBJECTION_ANSWER = "objection.answer", pgettext_lazy("event", "Objection answered"), {_A.PERSON}
    # parttimeseat
    PARTTIMESEAT_DEMO_LOAD = (
        "parttimeseat.demo_load",
        pgettext_lazy("event", "Demo part-time seats loaded"),
        {_A.AUDIT_ONLY},
        "demo data written by the loader",
    )
    # party_org
    PARTY_ORG_CREATE = (
        "party_org.create",
        pgettext_lazy("event", "Party organisation created"),
        {_A.AUDIT_ONLY},
        "a change of the map, seen on the area tree",
    )
    PARTY_ORG_UPDATE = (
        "party_org.update",
        pgettext_lazy("event", "Party organisation changed"),
        {_A.AUDIT_ONLY},
        "a change of the map, seen on the area tree",
    )
    # otp
    OTP_ENABLE = (
        "otp.enable",
        pgettext_lazy("event", "Second factor set up"),
        {_A.AUDIT_ONLY},
        "the person's own sign-in, changed by themself",
    )
    # pii
    PII_EXPORT = (
        "pii.export",
        pgettext_lazy("event", "Personal data exported"),
        {_A.AUDIT_ONLY},
        "kept for the audit of personal data, which is its purpose",
    )
    PII_EXPORT_DOWNLOAD = (
        "pii.export_download",
        pgettext_lazy("event", "Personal data export downloaded"),
        {_A.AUDIT_ONLY},
        "kept for the audit of personal data, which is its purpose",
    )
    PII_REVEAL = (
        "pii.reveal",
        pgettext_lazy("event", "Personal data revealed"),
        {_A.AUDIT_ONLY},
        "kept for the audit of personal data, which is its purpose",
    )
    PII_LOOKUP = (
        "pii.lookup",
        pgettext_lazy("event", "Member found by ID number"),
        {_A.AUDIT_ONLY},
        "kept for the audit of personal data, which is its purpose",
    )
    PII_LOOKUP_MISSES = (
        "pii.lookup_misses",
        pgettext_lazy("event", "Many ID number look-ups found no one"),
        {_A.LEVEL_ABOVE},
    )
    # points
    POINTS_APPROVE = "points.approve", pgettext_lazy("event", "Points approved"), {_A.PERSON}
    POINTS_CLAIM = "points.claim", pgettext_lazy("event", "Points claimed"), {_A.NEXT_STEP}
    POINTS_REJECT = "points.reject", pgettext_lazy("event", "Points rejected"), {_A.PERSON}
    POINTS_RULE_CREATE = (
        "points.rule_create",
        pgettext_lazy("event", "Points rule created"),
        {_A.AUDIT_ONLY},
        "a rule of the team, shown on its page",
    )
    POINTS_RULE_UPDATE = (
        "points.rule_update",
        pgettext_lazy("event", "Points rule changed"),
        {_A.AUDIT_ONLY},
        "a rule of the team, shown on its page",
    )
    # project
    PROJECT_CANCEL = "project.cancel", pgettext_lazy("event", "Project cancelled"), {_A.OTHER_SIDE}
    PROJECT_CLOSE = "project.close", pgettext_lazy("event", "Project closed"), {_A.OTHER_SIDE}
    PROJECT_COMPLETE = (
        "project.complete",
        pgettext_lazy("event", "Project completed"),
        {_A.OTHER_SIDE, _A.LEVEL_ABOVE},
    )
    PROJECT_DEMO_LOAD = (
        "project.demo_load",
        pgettext_lazy("event", "Demo projects loaded"),
        {_A.AUDIT_ONLY},
        "demo data written by the loader",
    )
    PROJECT_EVIDENCE_ADD = (
        "project.evidence_add",
        pgettext_lazy("event", "Project evidence added"),
        {_A.AUDIT_ONLY},
        "shown on the project's timeline",
    )
    PROJECT_EVIDENCE_UPDATE = (
        "project.evidence_update",
        pgettext_lazy("event", "Project evidence changed"),
        {_A.AUDIT_ONLY},
        "shown on the project's timeline",
    )
    PROJECT_MILESTONE_ADD = (
        "project.milestone_add",
        pgettext_lazy("event", "Milestone added"),
        {_A.AUDIT_ONLY},
        "shown on the project's timeline",
    )
    PROJECT_MILESTONE_REORDER = (
        "project.milestone_reorder",
        pgettext_lazy("event", "Milestones reordered"),
        {_A.AUDIT_ONLY},
        "shown on the project's timeline",
    )
    PROJECT_MILESTONE_UPDATE = (
        "project.milestone_update",
        pgettext_lazy("event", "Milestone changed"),
        {_A.OTHER_SIDE},
    )
    PROJECT_OPEN = "project.open", pgettext_lazy("event", "Project opened"), {_A.OTHER_SIDE}
    PROJECT_RATE = "project.rate", pgettext_lazy("event", "Project rated"), {_A.OTHER_SIDE}
    PROJECT_REPORT_ADD = (
        "project.report_add",
        pgettext_lazy("event", "Quarterly report submitted"),
        {_A.LEVEL_ABOVE},
    )
    PROJECT_REPORT_INSPECT = (
        "project.report_inspect",
        pgettext_lazy("event", "Quarterly report inspected"),
        {_A.OTHER_SIDE},
    )
    PROJECT_SATISFACTION = (
        "project.satisfaction",
        pgettext_lazy("event", "Resident's satisfaction recorded"),
        {_A.OTHER_SIDE},
    )
    PROJECT_UPDATE = (
        "project.update",
        pgettext_lazy("event", "Project changed"),
        {_A.AUDIT_ONLY},
        "an edit of the project's record, shown on its page",
    )
    # report
    REPORT_CONTACT_ADD = (
        "report.contact_add",
        pgettext_lazy("event", "Contact recorded"),
        {_A.AUDIT_ONLY},
        "a record of a contact both sides took part in",
    )
    REPORT_MEMBER_CREATE = (
        "report.member_create",
        pgettext_lazy("event", "In-service member reported to a community"),
        {_A.OTHER_SIDE},
    )
    REPORT_MEMBER_DECIDE = (
        "report.member_decide",
        pgettext_lazy("event", "Member's report confirmed or declined"),
        {_A.PERSON},
    )
    REPORT_UNIT_CREATE = (
        "report.unit_create",
        pgettext_lazy("event", "Unit's Party organisation reported to a community"),
        {_A.OTHER_SIDE},
    )
    # resolution
    RESOLUTION_RECORD = "resolution.record", pgettext_lazy("event", "Resolution recorded"), {_A.PARTICIPANTS}
    # resource
    RESOURCE_CREATE = (
        "resource.create",
        pgettext_lazy("event", "Resource drafted"),
        {_A.AUDIT_ONLY},
        "a draft, heard of when it is published",
    )
    RESOURCE_DEMO_LOAD = (
        "resource.demo_load",
        pgettext_lazy("event", "Demo resources loaded"),
        {_A.AUDIT_ONLY},
        "demo data written by the loader",
    )
    RESOURCE_EXPIRE = "resource.expire", pgettext_lazy("event", "Resource expired"), {_A.OWN_ORG}
    RESOURCE_PUBLISH = "resource.publish", pgettext_lazy("event", "Resource published"), {_A.AREA_ADMINS}
    RESOURCE_WITHDRAW = "resource.withdraw", pgettext_lazy("event", "Resource withdrawn"), {_A.OTHER_SIDE}
    # role
    ROLE_GRANT = "role.grant", pgettext_lazy("event", "Role granted"), {_A.PERSON}
    # seat
    SEAT_ANNOUNCE = "seat.announce", pgettext_lazy("event", "Part-time seat announced"), {_A.AREA_ADMINS}
    SEAT_APPOINT = "seat.appoint", pgettext_lazy("event", "Part-time member appointed"), {_A.PERSON}
    SEAT_APPROVE = "seat.approve", pgettext_lazy("event", "Part-time seat approved"), {_A.NEXT_STEP}
    SEAT_END = "seat.end", pgettext_lazy("event", "Part-time seat ended"), {_A.PERSON}
    SEAT_RECOMMEND = "seat.recommend", pgettext_lazy("event", "Part-time member recommended"), {_A.NEXT_STEP}
    SEAT_REJECT = "seat.reject", pgettext_lazy("event", "Part-time seat rejected"), {_A.OTHER_SIDE}
    SEAT_SCREEN = "seat.screen", pgettext_lazy("event", "Part-time member screened"), {_A.NEXT_STEP}
    # station
    STATION_CHECK_IN = (
        "station.check_in",
        pgettext_lazy("event", "Checked in at a station"),
        {_A.AUDIT_ONLY},
        "the member checked in themself",
    )
    STATION_CREATE = (
        "station.create",
        pgettext_lazy("event", "Station opened"),
        {_A.AUDIT_ONLY},
        "a change of the map, seen on the area's page",
    )
    # synth
    SYNTH_AREAS_CREATE = (
        "synth.areas_create",
        pgettext_lazy("event", "Synthetic areas generated"),
        {_A.AUDIT_ONLY},
        "synthetic data written by the city generator",
    )
    SYNTH_ORGS_CREATE = (
        "synth.orgs_create",
        pgettext_lazy("event", "Synthetic Party organisations generated"),
        {_A.AUDIT_ONLY},
        "synthetic data written by the city generator",
    )
    # team
    TEAM_CREATE = (
        "team.create",
        pgettext_lazy("event", "Service team formed"),
        {_A.AUDIT_ONLY},
        "a new team, heard of as its members are added",
    )
    TEAM_DUTY_ADD = "team.duty_add", pgettext_lazy("event", "Team duty assigned"), {_A.PARTICIPANTS}
    TEAM_DUTY_END = "team.duty_end", pgettext_lazy("event", "Team duty ended"), {_A.PARTICIPANTS}
    TEAM_MEMBER_ADD = "team.member_add", pgettext_lazy("event", "Member joined a team"), {_A.PERSON}
    TEAM_MEMBER_END = "team.member_end", pgettext_lazy("event", "Member left a team"), {_A.PERSON}
    TEAM_STATUS = "team.status", pgettext_lazy("event", "Status of a team changed"), {_A.PARTICIPANTS}
    TEAM_UPDATE = (
        "team.update",
        pgettext_lazy("event", "Service team changed"),
        {_A.AUDIT_ONLY},
        "an edit of the team's record, shown on its page",
    )
    # token
    TOKEN_CREATE = (
        "token.create",
        pgettext_lazy("event", "API token made"),
        {_A.AUDIT_ONLY},
        "the person's own token, made by themself",
    )
    TOKEN_REVOKE = (
        "token.revoke",
        pgettext_lazy("event", "API token revoked"),
        {_A.AUDIT_ONLY},
        "the person's own token, changed by themself",
    )
    TOKEN_ROTATE = (
        "token.rotate",
        pgettext_lazy("event", "API token renewed"),
        {_A.AUDIT_ONLY},
        "the person's own token, changed by themself",
    )
    # transfer
    TRANSFER_EXPIRE = (
        "transfer.expire",
        pgettext_lazy("event", "Transfer letter expired"),
        {_A.OWN_ORG, _A.PERSON},
    )
    TRANSFER_ISSUE = (
        "transfer.issue",
        pgettext_lazy("event", "Transfer letter issued"),
        {_A.OTHER_SIDE, _A.PERSON},
    )
    TRANSFER_RECEIVE = (
        "transfer.receive",
        pgettext_lazy("event", "Transfer received"),
        {_A.OTHER_SIDE, _A.PERSON},
    )
    TRANSFER_REJECT = (
        "transfer.reject",
        pgettext_lazy("event", "Transfer rejected"),
        {_A.OTHER_SIDE, _A.PERSON},
    )
    # unit
    UNIT_CREATE = (
        "unit.create",
        pgettext_lazy("event", "Resident unit created"),
        {_A.AUDIT_ONLY},
        "a change of the map, seen on the area's page",
    )
    UNIT_UPDATE = (
        "unit.update",
        pgettext_lazy("event", "Resident unit changed"),
        {_A.AUDIT_ONLY},
        "a change of the map, seen on the area's page",
    )
    # user
    USER_CREATE = (
        "user.create",
        pgettext_lazy("event", "User account created"),
        {_A.AUDIT_ONLY},
        "the administrator hands over the account",
    )
    USER_CARE_MODE = (
        "user.care_mode",
        pgettext_lazy("event", "Care mode switched"),
        {_A.AUDIT_ONLY},
        "the person's own display preference, changed by themself",
    )
    # volunteer
    VOLUNTEER_CREATE = (
        "volunteer.create",
        pgettext_lazy("event", "Volunteer registered"),
        {_A.AUDIT_ONLY},
        "a new record, shown on the team's page",
    )
    VOLUNTEER_UPDATE = (
        "volunteer.update",
        pgettext_lazy("event", "Volunteer changed"),
        {_A.AUDIT_ONLY},
        "an edit of the volunteer's record, shown on its page",
    )


#: The notification kind that the service sends for an event today (``notification_send(kind=…)``),
#: where the notification is that event. The reminders of the daily run are not events: they keep
#: their own kinds. The kinds are stored on the notifications, so they keep their strings.
NOTICE_KINDS: dict[Event, str] = {
    Event.ACTIVITY_CANCEL: "service.cancelled",
    Event.ACTIVITY_SIGN_UP: "service.signed_up",
    Event.APPEAL_ANSWER: "appeals.progress",
    Event.APPEAL_ASSIGN: "appeals.assigned",
    Event.APPEAL_REASSIGN: "appeals.assigned",
    Event.APPEAL_SOLVE: "appeals.progress",
    Event.MEETING_CANCEL: "cobuild.meeting.cancelled",
    Event.MEETING_SEND_AGENDA: "cobuild.meeting.agenda",
    Event.TRANSFER_EXPIRE: "transfer.expired",
}


#: Audiences that are asked to do something: whoever takes the next step, whoever is given the work.
ACT_AUDIENCES: frozenset[Audience] = frozenset({Audience.NEXT_STEP, Audience.ASSIGNEE})

#: Events told to the other side that waits on them for a decision (besides ACT_AUDIENCES).
MUST_ACT: frozenset[Event] = frozenset(
    {
        Event.AGENDA_PROPOSE,  # the convener screens the topic
        Event.AGREEMENT_CREATE,  # the partner signs
        Event.CLAIM_CREATE,  # the owner accepts or declines
        Event.MEETING_SEND_AGENDA,  # the level above reviews the agenda
        Event.REPORT_MEMBER_CREATE,  # the community confirms the report
        Event.REPORT_UNIT_CREATE,
        Event.TRANSFER_ISSUE,  # the receiving organisation receives
        Event.APPEAL_REGISTER,  # the area assigns the appeal
        Event.SEAT_ANNOUNCE,  # units recommend
    }
)


def event_of(action: str) -> Event | None:
    """The event an audit entry's stored ``action`` names (None for a value not in the catalogue)."""
    return _BY_VALUE.get(action)


_BY_VALUE: dict[str, Event] = {event.value: event for event in Event}
