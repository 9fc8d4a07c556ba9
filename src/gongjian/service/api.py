"""API of service: thin serializers and viewsets over the selectors (reads) and services (writes).

- ``service-teams/``: list, create, detail, PATCH; ``members/`` (GET, POST), ``end-membership/``,
  ``duties/`` (GET, POST), ``status/`` (activate or stand down).
- ``volunteers/``: list, create, detail, PATCH (phones masked); ``reveal/`` (POST, a reason; audited).
- ``service-activities/``: list (``?upcoming=1``), create, detail; ``sign-up/``, ``cancel-sign-up/``,
  ``scan/`` (sign in, then out, with the QR code's token), ``code/`` (the current token, organisers),
  ``attendance/`` (GET; POST: the organiser records times by hand), ``cancel/``.
- ``attendance/{id}/verify/``: the organiser verifies the computed (or other) hours.
- ``service-hours/``: list, log one's own (POST), detail; ``decide/``, ``correct/``.
- ``points-rules/``: list, create, detail; ``points-entries/``: list, claim (POST), detail, ``decide/``.
- ``my-service/``: the caller's hours, points and sign-ups.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from gongjian.core.api import query_year, validated_input
from gongjian.lists.models import Project
from gongjian.members.models import Member
from gongjian.orgs.api import ScopedViewSet
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit

from . import selectors, services
from .models import (
    Activity,
    Attendance,
    PointsEntry,
    PointsRule,
    ServiceHours,
    ServiceTeam,
    StandingDuty,
    TeamMembership,
    Volunteer,
)
from .qr import QR_STEP_SECONDS

#: Every input of the service API is strict: a field it does not take is refused, not dropped.
_input = partial(validated_input, strict=True)


def _pk_field(model: type[Any], **kwargs: Any) -> Any:
    return serializers.PrimaryKeyRelatedField(queryset=model.objects.all(), **kwargs)


# --- serializers ----------------------------------------------------------------------------


class VolunteerSerializer(serializers.ModelSerializer[Volunteer]):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Volunteer
        fields = ["id", "name", "area", "area_name", "volunteer_no", "phone_masked", "skills", "user"]
        read_only_fields = fields


class VolunteerInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    area = _pk_field(Area)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    volunteer_no = serializers.CharField(max_length=40, required=False, allow_blank=True)
    skills = serializers.CharField(max_length=200, required=False, allow_blank=True)


class VolunteerRevealSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class VolunteerRevealOutSerializer(serializers.Serializer[Any]):
    phone = serializers.CharField()


class TeamMembershipSerializer(serializers.ModelSerializer[TeamMembership]):
    name = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()

    def get_name(self, obj: TeamMembership) -> str:
        return obj.person.name

    def get_phone_masked(self, obj: TeamMembership) -> str:
        return obj.person.phone_masked

    class Meta:
        model = TeamMembership
        fields = ["id", "team", "member", "volunteer", "name", "phone_masked", "leader", "since", "until"]
        read_only_fields = fields


class TeamMemberInputSerializer(serializers.Serializer[Any]):
    member = _pk_field(Member, required=False, allow_null=True)
    volunteer = _pk_field(Volunteer, required=False, allow_null=True)
    leader = serializers.BooleanField(required=False, default=False)
    since = serializers.DateField(required=False, allow_null=True)


class TeamEndMembershipSerializer(serializers.Serializer[Any]):
    membership = serializers.IntegerField()
    until = serializers.DateField(required=False, allow_null=True)


class TeamDutySerializer(serializers.ModelSerializer[StandingDuty]):
    class Meta:
        model = StandingDuty
        fields = ["id", "team", "kind", "weekdays", "starts", "ends", "route", "note", "since", "until"]
        read_only_fields = fields


class TeamDutyInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["patrol", "door_to_door", "other"])
    weekdays = serializers.CharField(max_length=13, required=False, allow_blank=True, help_text="Digits 1-7")
    starts = serializers.TimeField(required=False, allow_null=True)
    ends = serializers.TimeField(required=False, allow_null=True)
    route = serializers.CharField(max_length=300, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TeamStatusSerializer(serializers.Serializer[Any]):
    active = serializers.BooleanField()
    on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TeamSerializer(serializers.ModelSerializer[ServiceTeam]):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = ServiceTeam
        fields = ["id", "name", "area", "area_name", "org", "unit", "description", "active", "created_at"]
        read_only_fields = fields


class TeamInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    area = _pk_field(Area)
    org = _pk_field(PartyOrg, required=False, allow_null=True)
    unit = _pk_field(ResidentUnit, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    since = serializers.DateField(required=False, allow_null=True)


class TeamUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    area_name = serializers.CharField(source="area.name", read_only=True)
    signed_up = serializers.SerializerMethodField()

    def get_signed_up(self, obj: Activity) -> int:
        return selectors.signup_count(obj)

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "description",
            "organiser_kind",
            "org",
            "team",
            "unit",
            "project",
            "area",
            "area_name",
            "place",
            "starts_at",
            "ends_at",
            "signup_limit",
            "signed_up",
            "audience",
            "status",
        ]
        read_only_fields = fields


class ActivityDetailSerializer(ActivitySerializer):
    """One activity, with its organiser's name (lists carry only the ids: an organiser's name is
    not for everyone the activity is open to)."""

    organiser_name = serializers.CharField(read_only=True)
    can_sign_up = serializers.SerializerMethodField()

    def get_can_sign_up(self, obj: Activity) -> bool:
        """Whether the one asking may sign up now (not once the activity has started)."""
        request = self.context.get("request")
        return request is not None and services.activity_signup_allowed(actor=request.user, activity=obj)

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "organiser_name", "can_sign_up"]
        read_only_fields = fields


class ActivityInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    organiser_kind = serializers.ChoiceField(choices=["community", "team", "unit", "project"])
    org = _pk_field(PartyOrg, required=False, allow_null=True)
    team = _pk_field(ServiceTeam, required=False, allow_null=True)
    unit = _pk_field(ResidentUnit, required=False, allow_null=True)
    project = _pk_field(Project, required=False, allow_null=True)
    area = _pk_field(Area, required=False, allow_null=True)
    place = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    signup_limit = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    audience = serializers.ChoiceField(choices=["area", "team"], required=False, default="area")


class ActivityCancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class ScanTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=64, help_text="The token in the QR code's address (t=…)")


class ActivityCodeSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    url = serializers.CharField()
    step_seconds = serializers.IntegerField()


class ServiceAttendanceSerializer(serializers.ModelSerializer[Attendance]):
    name = serializers.SerializerMethodField()
    verified_hours = serializers.SerializerMethodField()

    def get_name(self, obj: Attendance) -> str:
        return obj.person.name

    def get_verified_hours(self, obj: Attendance) -> str | None:
        record = ServiceHours.objects.filter(attendance=obj).first()
        return str(record.hours) if record else None

    class Meta:
        model = Attendance
        fields = [
            "id",
            "activity",
            "member",
            "volunteer",
            "name",
            "status",
            "signed_up_at",
            "signed_in_at",
            "signed_out_at",
            "sign_in_method",
            "sign_out_method",
            "computed_hours",
            "verified_hours",
        ]
        read_only_fields = fields


class ServiceAttendanceInputSerializer(serializers.Serializer[Any]):
    member = _pk_field(Member, required=False, allow_null=True)
    volunteer = _pk_field(Volunteer, required=False, allow_null=True)
    signed_in_at = serializers.DateTimeField()
    signed_out_at = serializers.DateTimeField(required=False, allow_null=True)


class AttendanceVerifySerializer(serializers.Serializer[Any]):
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ServiceHoursSerializer(serializers.ModelSerializer[ServiceHours]):
    name = serializers.SerializerMethodField()
    activity = serializers.IntegerField(source="attendance.activity_id", read_only=True, default=None)

    def get_name(self, obj: ServiceHours) -> str:
        return obj.person.name

    class Meta:
        model = ServiceHours
        fields = [
            "id",
            "member",
            "volunteer",
            "name",
            "area",
            "on",
            "hours",
            "source",
            "activity",
            "description",
            "status",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


class ServiceHoursLogSerializer(serializers.Serializer[Any]):
    on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    description = serializers.CharField(max_length=300)
    area = _pk_field(Area, required=False, allow_null=True, help_text="A community you serve in")


class HoursDecideSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HoursCorrectSerializer(serializers.Serializer[Any]):
    hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    reason = serializers.CharField(max_length=300)


class PointsRuleSerializer(serializers.ModelSerializer[PointsRule]):
    class Meta:
        model = PointsRule
        fields = [
            "id",
            "name",
            "area",
            "basis",
            "points",
            "deduction",
            "description",
            "cap",
            "cap_period",
            "evidence_required",
            "approver_role",
            "active",
        ]
        read_only_fields = fields


class PointsRuleInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    area = _pk_field(Area)
    basis = serializers.ChoiceField(choices=["per_hour", "per_claim"])
    points = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    deduction = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    cap = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    cap_period = serializers.ChoiceField(choices=["month", "quarter", "year"], required=False, default="year")
    evidence_required = serializers.BooleanField(required=False, default=False)
    approver_role = serializers.ChoiceField(
        choices=["community_admin", "street_admin", "district_admin", "city_admin"],
        required=False,
        default="community_admin",
    )


class PointsEntrySerializer(serializers.ModelSerializer[PointsEntry]):
    member_name = serializers.CharField(source="member.name", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "member",
            "member_name",
            "rule",
            "rule_name",
            "area",
            "on",
            "units",
            "requested",
            "points",
            "hours_record",
            "evidence",
            "note",
            "status",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


class PointsClaimSerializer(serializers.Serializer[Any]):
    rule = _pk_field(PointsRule)
    on = serializers.DateField()
    units = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, default=Decimal(1))
    evidence = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    member = _pk_field(Member, required=False, allow_null=True, help_text="Administrators: the member")


class PointsDecideSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MyServiceSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    verified_hours = serializers.DecimalField(max_digits=10, decimal_places=2)
    pending_hours = serializers.DecimalField(max_digits=10, decimal_places=2)
    points = serializers.DecimalField(max_digits=10, decimal_places=2)
    points_pending = serializers.IntegerField()
    hours = ServiceHoursSerializer(many=True)
    entries = PointsEntrySerializer(many=True)
    upcoming = ServiceAttendanceSerializer(many=True)


def _within(view: ScopedViewSet) -> Area | None:
    return view.within()


def _flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    return None if raw is None else raw in {"1", "true", "yes"}


# --- viewsets -------------------------------------------------------------------------------


@extend_schema(
    parameters=[OpenApiParameter("within", int), OpenApiParameter("active", bool), OpenApiParameter("q", str)]
)
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Service teams (服务队) the caller sees: by area, their unit's, or teams they are on."""

    serializer_class = TeamSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ServiceTeam]:
        return selectors.team_list(
            actor=self.request.user,
            within=_within(self),
            active=_flag(self.request, "active"),
            q=self.request.query_params.get("q", ""),
        )

    def get_object(self) -> ServiceTeam:
        return selectors.team_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=TeamInputSerializer, responses={201: TeamSerializer})
    def create(self, request: Request) -> Response:
        team = services.team_create(actor=request.user, **_input(request, TeamInputSerializer))
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TeamUpdateSerializer, responses=TeamSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        team = services.team_update(
            actor=request.user, team=self.get_object(), **_input(request, TeamUpdateSerializer, partial=True)
        )
        return Response(TeamSerializer(team).data)

    @extend_schema(methods=["get"], responses=TeamMembershipSerializer(many=True))
    @extend_schema(
        methods=["post"], request=TeamMemberInputSerializer, responses={201: TeamMembershipSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def members(self, request: Request, pk: int) -> Response:
        team = self.get_object()
        if request.method == "GET":
            rows = selectors.team_memberships(actor=request.user, team=team)
            return Response(TeamMembershipSerializer(rows, many=True).data)
        row = services.team_member_add(
            actor=request.user, team=team, **_input(request, TeamMemberInputSerializer)
        )
        return Response(TeamMembershipSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TeamEndMembershipSerializer, responses=TeamMembershipSerializer)
    @action(detail=True, methods=["post"], url_path="end-membership")
    def end_membership(self, request: Request, pk: int) -> Response:
        team = self.get_object()
        data = _input(request, TeamEndMembershipSerializer)
        row = selectors.team_memberships(actor=request.user, team=team).filter(pk=data["membership"]).first()
        if row is None:
            raise serializers.ValidationError({"membership": [_("Not a current membership of this team.")]})
        row = services.team_member_end(actor=request.user, membership=row, until=data.get("until"))
        return Response(TeamMembershipSerializer(row).data)

    @extend_schema(methods=["get"], responses=TeamDutySerializer(many=True))
    @extend_schema(methods=["post"], request=TeamDutyInputSerializer, responses={201: TeamDutySerializer})
    @action(detail=True, methods=["get", "post"])
    def duties(self, request: Request, pk: int) -> Response:
        team = self.get_object()
        if request.method == "GET":
            return Response(
                TeamDutySerializer(selectors.team_duties(actor=request.user, team=team), many=True).data
            )
        duty = services.duty_add(actor=request.user, team=team, **_input(request, TeamDutyInputSerializer))
        return Response(TeamDutySerializer(duty).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TeamStatusSerializer, responses=TeamSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: int) -> Response:
        team = services.team_status_set(
            actor=request.user, team=self.get_object(), **_input(request, TeamStatusSerializer)
        )
        return Response(TeamSerializer(team).data)


@extend_schema(parameters=[OpenApiParameter("within", int), OpenApiParameter("q", str)])
class VolunteerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Volunteers who are not Party members (no Party data; phones masked)."""

    serializer_class = VolunteerSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Volunteer]:
        return selectors.volunteer_list(
            actor=self.request.user, within=_within(self), q=self.request.query_params.get("q", "")
        )

    def get_object(self) -> Volunteer:
        return selectors.volunteer_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=VolunteerInputSerializer, responses={201: VolunteerSerializer})
    def create(self, request: Request) -> Response:
        volunteer = services.volunteer_create(actor=request.user, **_input(request, VolunteerInputSerializer))
        return Response(VolunteerSerializer(volunteer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VolunteerInputSerializer, responses=VolunteerSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        volunteer = services.volunteer_update(
            actor=request.user,
            volunteer=self.get_object(),
            **_input(request, VolunteerInputSerializer, partial=True),
        )
        return Response(VolunteerSerializer(volunteer).data)

    @extend_schema(request=VolunteerRevealSerializer, responses=VolunteerRevealOutSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: int) -> Response:
        """The clear phone number, with a reason; the read is audited."""
        volunteer = self.get_object()
        data = _input(request, VolunteerRevealSerializer)
        phone = services.volunteer_reveal(actor=request.user, volunteer=volunteer, reason=data["reason"])
        return Response({"phone": phone})


@extend_schema(
    parameters=[
        OpenApiParameter("within", int),
        OpenApiParameter("upcoming", bool),
        OpenApiParameter("q", str),
    ]
)
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Service activities the caller organises or that are open to them."""

    serializer_class = ActivitySerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Activity]:
        return selectors.activity_list(
            actor=self.request.user,
            within=_within(self),
            upcoming=_flag(self.request, "upcoming"),
            q=self.request.query_params.get("q", ""),
        )

    def get_object(self) -> Activity:
        return selectors.activity_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(responses=ActivityDetailSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ActivityDetailSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(request=ActivityInputSerializer, responses={201: ActivitySerializer})
    def create(self, request: Request) -> Response:
        activity = services.activity_create(actor=request.user, **_input(request, ActivityInputSerializer))
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: ServiceAttendanceSerializer})
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request: Request, pk: int) -> Response:
        row = services.activity_sign_up(actor=request.user, activity=self.get_object())
        return Response(ServiceAttendanceSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ServiceAttendanceSerializer)
    @action(detail=True, methods=["post"], url_path="cancel-sign-up")
    def cancel_sign_up(self, request: Request, pk: int) -> Response:
        row = services.activity_sign_up_cancel(actor=request.user, activity=self.get_object())
        return Response(ServiceAttendanceSerializer(row).data)

    @extend_schema(request=ScanTokenSerializer, responses=ServiceAttendanceSerializer)
    @action(detail=True, methods=["post"])
    def scan(self, request: Request, pk: int) -> Response:
        """Sign in (first scan) or out (second scan) with the token of the rotating QR code."""
        activity = self.get_object()
        row = services.attendance_scan(
            actor=request.user, activity=activity, token=_input(request, ScanTokenSerializer)["token"]
        )
        return Response(ServiceAttendanceSerializer(row).data)

    @extend_schema(responses=ActivityCodeSerializer)
    @action(detail=True, methods=["get"])
    def code(self, request: Request, pk: int) -> Response:
        """The current token of the QR code (organisers only); it changes every 30 seconds."""
        activity = self.get_object()
        token = services.activity_code(actor=request.user, activity=activity)
        url = request.build_absolute_uri(reverse("service:activity_scan", args=[activity.pk])) + f"?t={token}"
        return Response({"token": token, "url": url, "step_seconds": QR_STEP_SECONDS})

    @extend_schema(methods=["get"], responses=ServiceAttendanceSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=ServiceAttendanceInputSerializer,
        responses={201: ServiceAttendanceSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request: Request, pk: int) -> Response:
        activity = self.get_object()
        if request.method == "GET":
            return Response(
                ServiceAttendanceSerializer(
                    selectors.attendance_list(actor=request.user, activity=activity), many=True
                ).data
            )
        row = services.attendance_record(
            actor=request.user, activity=activity, **_input(request, ServiceAttendanceInputSerializer)
        )
        return Response(ServiceAttendanceSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActivityCancelSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        activity = self.get_object()
        data = _input(request, ActivityCancelSerializer)
        activity = services.activity_cancel(actor=request.user, activity=activity, reason=data["reason"])
        return Response(ActivitySerializer(activity).data)


class AttendanceViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = ServiceAttendanceSerializer
    lookup_value_converter = "int"

    def get_object(self) -> Attendance:
        return selectors.attendance_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=AttendanceVerifySerializer, responses=ServiceHoursSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: int) -> Response:
        """The organiser verifies the hours (the computed ones, or others with a reason)."""
        attendance = self.get_object()
        data = _input(request, AttendanceVerifySerializer)
        record = services.attendance_verify(actor=request.user, attendance=attendance, **data)
        return Response(ServiceHoursSerializer(record).data)


@extend_schema(
    parameters=[
        OpenApiParameter("within", int),
        OpenApiParameter("status", str),
        OpenApiParameter("year", int),
    ]
)
class HoursViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Service hours; only ``verified`` ones count."""

    serializer_class = ServiceHoursSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ServiceHours]:
        return selectors.hours_list(
            actor=self.request.user,
            within=_within(self),
            status=self.request.query_params.get("status", ""),
            year=query_year(self.request),
        )

    def get_object(self) -> ServiceHours:
        return selectors.hours_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=ServiceHoursLogSerializer, responses={201: ServiceHoursSerializer})
    def create(self, request: Request) -> Response:
        """Log one's own hours for work outside an activity (pending until verified)."""
        record = services.hours_log(actor=request.user, **_input(request, ServiceHoursLogSerializer))
        return Response(ServiceHoursSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HoursDecideSerializer, responses=ServiceHoursSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: int) -> Response:
        record = services.hours_decide(
            actor=request.user, record=self.get_object(), **_input(request, HoursDecideSerializer)
        )
        return Response(ServiceHoursSerializer(record).data)

    @extend_schema(request=HoursCorrectSerializer, responses=ServiceHoursSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: int) -> Response:
        record = services.hours_correct(
            actor=request.user, record=self.get_object(), **_input(request, HoursCorrectSerializer)
        )
        return Response(ServiceHoursSerializer(record).data)


class PointsRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Points rules that apply where the caller administers or serves."""

    serializer_class = PointsRuleSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[PointsRule]:
        return selectors.points_rule_list(actor=self.request.user)

    def get_object(self) -> PointsRule:
        return selectors.points_rule_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=PointsRuleInputSerializer, responses={201: PointsRuleSerializer})
    def create(self, request: Request) -> Response:
        rule = services.points_rule_create(actor=request.user, **_input(request, PointsRuleInputSerializer))
        return Response(PointsRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("status", str), OpenApiParameter("year", int)])
class PointsEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = PointsEntrySerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[PointsEntry]:
        return selectors.points_entry_list(
            actor=self.request.user,
            status=self.request.query_params.get("status", ""),
            year=query_year(self.request),
        )

    def get_object(self) -> PointsEntry:
        return selectors.points_entry_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=PointsClaimSerializer, responses={201: PointsEntrySerializer})
    def create(self, request: Request) -> Response:
        """Claim points under a rule (with evidence where it asks for it)."""
        entry = services.points_claim(actor=request.user, **_input(request, PointsClaimSerializer))
        return Response(PointsEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PointsDecideSerializer, responses=PointsEntrySerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: int) -> Response:
        entry = services.points_entry_decide(
            actor=request.user, entry=self.get_object(), **_input(request, PointsDecideSerializer)
        )
        return Response(PointsEntrySerializer(entry).data)


class MyServiceView(APIView):
    """The caller's own service this year (``?year=``): verified and pending hours, points."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=MyServiceSerializer)
    def get(self, request: Request) -> Response:
        data = selectors.my_service(actor=request.user, year=query_year(request))
        return Response(MyServiceSerializer(data).data)


router = SimpleRouter(use_regex_path=False)
router.register("service-teams", TeamViewSet, basename="service-team")
router.register("volunteers", VolunteerViewSet, basename="volunteer")
router.register("service-activities", ActivityViewSet, basename="service-activity")
router.register("attendance", AttendanceViewSet, basename="service-attendance")
router.register("service-hours", HoursViewSet, basename="service-hours")
router.register("points-rules", PointsRuleViewSet, basename="points-rule")
router.register("points-entries", PointsEntryViewSet, basename="points-entry")
urlpatterns: list[URLPattern | URLResolver] = [
    path("my-service/", MyServiceView.as_view(), name="my-service"),
    *router.urls,
]
