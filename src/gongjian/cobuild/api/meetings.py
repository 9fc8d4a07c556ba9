"""API of joint meetings, resolutions and action items, and consultations: thin serializers and
viewsets over ``selectors.meetings`` (reads) and ``services.meetings`` (writes).

Every object comes from a selector with the caller as the actor (outside the caller's scope: 404);
every write is a service call (refused: 403; bad input: 400 with the message in the caller's
language). The one exception to "see it to act on it" is signing in: the meeting's sign-in code
opens the meeting to any signed-in user (``POST meetings/{id}/sign-in/`` with ``token``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gongjian.core.api import validated_input as _input
from gongjian.core.pdf import render_pdf
from gongjian.orgs import selectors as org_selectors

from ..models import (
    ActionItem,
    AgendaItem,
    Answer,
    Attendance,
    Consultation,
    ConsultationAnswer,
    ConsultationKind,
    JointMeeting,
    MeetingLevel,
    MeetingStatus,
    MeetingUnit,
    Pledge,
    Resolution,
)
from ..selectors import meetings as selectors
from ..services import meetings as services

# --- plumbing ----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class Pk(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices are what the caller may see, through a selector."""

    def __init__(self, selector: Callable[..., QuerySet[Any]], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.selector(actor=self.context["request"].user)


def _params(request: Request, serializer_class: type[serializers.Serializer[Any]]) -> dict[str, Any]:
    given = {k: v for k, v in request.query_params.items() if v != ""}
    data = serializer_class(data=given)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class CobuildViewSet(viewsets.GenericViewSet[Any]):
    """Ids are integers (anything else is a 404); ``within`` is an area in the caller's scope."""

    lookup_value_converter = "int"

    def within(self, pk: int | None) -> Any:
        return org_selectors.area_get(actor=self.request.user, pk=pk) if pk is not None else None

    def rows(self, rows: Any, serializer_class: type[serializers.Serializer[Any]]) -> Response:
        return Response(serializer_class(rows, many=True, context={"request": self.request}).data)


class WithinParams(serializers.Serializer[Any]):
    within = serializers.IntegerField(required=False, help_text="Only rows in the subtree of this area id")


# --- meetings ----------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer[JointMeeting]):
    area_name = serializers.CharField(source="area.name", read_only=True)
    convener_org_name = serializers.CharField(source="convener_org.name", read_only=True)
    alliance_name = serializers.CharField(source="alliance.name", read_only=True, default=None)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    topics_open_on = serializers.DateField(read_only=True)
    agenda_due_on = serializers.DateField(read_only=True)
    unit_count = serializers.SerializerMethodField()

    class Meta:
        model = JointMeeting
        fields = [
            "id",
            "title",
            "level",
            "level_label",
            "status",
            "status_label",
            "area",
            "area_name",
            "convener_org",
            "convener_org_name",
            "convener",
            "alliance",
            "alliance_name",
            "starts_at",
            "ends_at",
            "venue",
            "topics_open_on",
            "agenda_due_on",
            "agenda_sent_at",
            "minutes",
            "minutes_at",
            "previous",
            "unit_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_unit_count(self, obj: JointMeeting) -> int:
        annotated = getattr(obj, "unit_count", None)
        return int(annotated) if annotated is not None else obj.units.count()


class MeetingCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    convener_org = Pk(selectors.convener_org_choices, help_text="A territorial Party organisation")
    area = Pk(
        org_selectors.area_list,
        required=False,
        allow_null=True,
        help_text="By default the convening organisation's area",
    )
    level = serializers.ChoiceField(
        MeetingLevel.choices,
        required=False,
        help_text="Must match the area's level; taken from it by default",
    )
    convener = serializers.CharField(max_length=60, required=False, allow_blank=True, help_text="召集人")
    alliance = Pk(org_selectors.alliance_list, required=False, allow_null=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    previous = Pk(
        selectors.previous_meeting_choices,
        required=False,
        allow_null=True,
        help_text="By default the convening organisation's last meeting",
    )
    units = serializers.ListField(
        child=Pk(org_selectors.unit_list), required=False, help_text="Units invited besides the alliance's"
    )


class MeetingUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    convener = serializers.CharField(max_length=60, required=False, allow_blank=True)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    previous = Pk(selectors.previous_meeting_choices, required=False, allow_null=True)


class MeetingParams(WithinParams):
    level = serializers.ChoiceField(MeetingLevel.choices, required=False)
    status = serializers.ChoiceField(MeetingStatus.choices, required=False)
    q = serializers.CharField(required=False, help_text="Words of the title or venue")


class MeetingUnitSerializer(serializers.ModelSerializer[MeetingUnit]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = MeetingUnit
        fields = ["id", "unit", "unit_name", "representative"]
        read_only_fields = fields


class UnitAddSerializer(serializers.Serializer[Any]):
    unit = Pk(org_selectors.unit_list)
    representative = serializers.CharField(max_length=60, required=False, allow_blank=True)


class UnitRemoveSerializer(serializers.Serializer[Any]):
    unit = Pk(selectors.owner_unit_choices)


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    proposed_by_unit_name = serializers.CharField(
        source="proposed_by_unit.name", read_only=True, default=None
    )
    action_item_due_on = serializers.DateField(source="action_item.due_on", read_only=True, default=None)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "title",
            "description",
            "source",
            "source_label",
            "status",
            "status_label",
            "proposed_by_unit",
            "proposed_by_unit_name",
            "action_item",
            "action_item_due_on",
            "outcome",
            "created_at",
        ]
        read_only_fields = fields


class TopicProposeSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    unit = Pk(
        selectors.owner_unit_choices,
        required=False,
        allow_null=True,
        help_text="The invited unit proposing it; a liaison's own unit by default",
    )


class AgendaAddSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Needed once the agenda is sent"
    )


class ActionItemSerializer(serializers.ModelSerializer[ActionItem]):
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True, default=None)
    owner_org_name = serializers.CharField(source="owner_org.name", read_only=True, default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "resolution",
            "meeting",
            "meeting_title",
            "title",
            "owner_unit",
            "owner_unit_name",
            "owner_org",
            "owner_org_name",
            "due_on",
            "status",
            "overdue",
            "closed_on",
            "report",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: ActionItem) -> bool:
        from django.utils import timezone

        return obj.overdue_on(timezone.localdate())


class AgendaSerializer(serializers.Serializer[Any]):
    items = AgendaItemSerializer(many=True, help_text="The agenda in its order")
    follow_ups = ActionItemSerializer(
        many=True, help_text="Open action items the agenda will carry when it is sent (empty once sent)"
    )


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Needed once the agenda is sent"
    )


class MoveSerializer(ReasonSerializer):
    position = serializers.IntegerField(min_value=1, help_text="1 = first")


class OutcomeSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField()


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


class SignInSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=200, help_text="The code in the meeting's QR code")


class AttendanceSerializer(serializers.ModelSerializer[Attendance]):
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)

    class Meta:
        model = Attendance
        fields = ["id", "meeting", "person_name", "unit", "unit_name", "method", "at"]
        read_only_fields = fields


class AttendanceAddSerializer(serializers.Serializer[Any]):
    person_name = serializers.CharField(max_length=60)
    unit = Pk(selectors.owner_unit_choices, required=False, allow_null=True)


class PledgeSerializer(serializers.ModelSerializer[Pledge]):
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)

    class Meta:
        model = Pledge
        fields = ["id", "meeting", "unit", "unit_name", "text", "quantity", "measure", "at_least"]
        read_only_fields = ["id", "meeting", "unit_name"]


class PledgeAddSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=200)
    unit = Pk(selectors.owner_unit_choices, required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    measure = serializers.CharField(max_length=20, required=False, allow_blank=True)
    at_least = serializers.BooleanField(required=False, default=False)


class MinutesSerializer(serializers.Serializer[Any]):
    minutes = serializers.CharField()


class ActionCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    owner_unit = Pk(selectors.owner_unit_choices, required=False, allow_null=True)
    owner_org = Pk(selectors.owner_org_choices, required=False, allow_null=True)


class ResolutionSerializer(serializers.ModelSerializer[Resolution]):
    actions = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = Resolution
        fields = ["id", "meeting", "agenda_item", "position", "text", "actions"]
        read_only_fields = fields


class ResolutionCreateSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    agenda_item = Pk(selectors.agenda_item_choices, required=False, allow_null=True)
    actions = ActionCreateSerializer(many=True, required=False)


class AgreementRecordSerializer(serializers.Serializer[Any]):
    agreement = Pk(selectors.agreement_choices, help_text="An agreement signed at the meeting")


class AgreementRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)


PDF_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The meeting pack")
}


@extend_schema_view(list=extend_schema(parameters=[MeetingParams]))
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CobuildViewSet):
    """Joint meetings (联席会议) the caller sees: administrators those in their subtree, unit
    liaisons those their unit is invited to."""

    serializer_class = MeetingSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[JointMeeting]:
        p = _params(self.request, MeetingParams)
        return selectors.meeting_list(
            actor=self.request.user,
            within=self.within(p.get("within")),
            level=p.get("level", ""),
            status=p.get("status", ""),
            q=p.get("q", ""),
        )

    def get_object(self) -> JointMeeting:
        return selectors.meeting_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _meeting(self, meeting: JointMeeting) -> Response:
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, MeetingCreateSerializer, strict=True)
        meeting = services.meeting_convene(actor=request.user, **data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        meeting = self.get_object()
        data = _input(request, MeetingUpdateSerializer, strict=True, partial=True)
        return self._meeting(services.meeting_update(actor=request.user, meeting=meeting, **data))

    @extend_schema(methods=["get"], responses=MeetingUnitSerializer(many=True))
    @extend_schema(methods=["post"], request=UnitAddSerializer, responses={201: MeetingUnitSerializer})
    @action(detail=True, methods=["get", "post"])
    def units(self, request: Request, pk: int) -> Response:
        """The invited member units (GET), or invite one more before the meeting is held (POST)."""
        meeting = self.get_object()
        if request.method == "GET":
            return self.rows(
                selectors.meeting_unit_list(actor=request.user, meeting=meeting), MeetingUnitSerializer
            )
        data = _input(request, UnitAddSerializer)
        row = services.meeting_unit_add(actor=request.user, meeting=meeting, **data)
        return Response(MeetingUnitSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UnitRemoveSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="remove-unit")
    def remove_unit(self, request: Request, pk: int) -> Response:
        meeting = self.get_object()
        data = _input(request, UnitRemoveSerializer)
        return self._meeting(services.meeting_unit_remove(actor=request.user, meeting=meeting, **data))

    @extend_schema(methods=["get"], responses=AgendaItemSerializer(many=True))
    @extend_schema(methods=["post"], request=TopicProposeSerializer, responses={201: AgendaItemSerializer})
    @action(detail=True, methods=["get", "post"])
    def topics(self, request: Request, pk: int) -> Response:
        """Every proposed topic and agenda item (GET), or propose a topic while they are collected (POST)."""
        meeting = self.get_object()
        if request.method == "GET":
            return self.rows(
                selectors.agenda_item_list(actor=request.user, meeting=meeting), AgendaItemSerializer
            )
        data = _input(request, TopicProposeSerializer)
        item = services.agenda_topic_propose(actor=request.user, meeting=meeting, **data)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses=AgendaSerializer)
    @extend_schema(methods=["post"], request=AgendaAddSerializer, responses={201: AgendaItemSerializer})
    @action(detail=True, methods=["get", "post"])
    def agenda(self, request: Request, pk: int) -> Response:
        """The agenda and the follow-ups it will carry (GET), or an item put by the convener (POST)."""
        meeting = self.get_object()
        if request.method == "GET":
            items = selectors.meeting_agenda(actor=request.user, meeting=meeting)
            follow_ups = selectors.meeting_follow_ups(actor=request.user, meeting=meeting)
            return Response(AgendaSerializer({"items": items, "follow_ups": follow_ups}).data)
        data = _input(request, AgendaAddSerializer)
        item = services.agenda_item_add(actor=request.user, meeting=meeting, **data)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="send-agenda")
    def send_agenda(self, request: Request, pk: int) -> Response:
        """Send the agenda to the level above (notified in the app and by e-mail)."""
        return self._meeting(services.meeting_send_agenda(actor=request.user, meeting=self.get_object()))

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: int) -> Response:
        """The meeting takes place (from its day)."""
        return self._meeting(services.meeting_hold(actor=request.user, meeting=self.get_object()))

    @extend_schema(request=CancelSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        meeting = self.get_object()
        data = _input(request, CancelSerializer)
        return self._meeting(services.meeting_cancel(actor=request.user, meeting=meeting, **data))

    @extend_schema(request=SignInSerializer, responses=AttendanceSerializer)
    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request: Request, pk: int) -> Response:
        """Sign the caller in with the code of the meeting's QR code (once; again returns the first)."""
        token = str(request.data.get("token", "")) if isinstance(request.data, Mapping) else ""
        meeting = selectors.meeting_for_sign_in(actor=request.user, pk=int(pk), token=token)
        row = services.attendance_sign_in(actor=request.user, meeting=meeting, token=token)
        return Response(AttendanceSerializer(row).data)

    @extend_schema(methods=["get"], responses=AttendanceSerializer(many=True))
    @extend_schema(methods=["post"], request=AttendanceAddSerializer, responses={201: AttendanceSerializer})
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request: Request, pk: int) -> Response:
        """Who signed in (GET), or someone entered by staff (POST)."""
        meeting = self.get_object()
        if request.method == "GET":
            return self.rows(
                selectors.attendance_list(actor=request.user, meeting=meeting), AttendanceSerializer
            )
        data = _input(request, AttendanceAddSerializer)
        row = services.attendance_add(actor=request.user, meeting=meeting, **data)
        return Response(AttendanceSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses=PledgeSerializer(many=True))
    @extend_schema(methods=["post"], request=PledgeAddSerializer, responses={201: PledgeSerializer})
    @action(detail=True, methods=["get", "post"])
    def pledges(self, request: Request, pk: int) -> Response:
        """Pledges made at the meeting (承诺), with quantity, measure and "at least"."""
        meeting = self.get_object()
        if request.method == "GET":
            return self.rows(selectors.pledge_list(actor=request.user, meeting=meeting), PledgeSerializer)
        data = _input(request, PledgeAddSerializer)
        pledge = services.pledge_add(actor=request.user, meeting=meeting, **data)
        return Response(PledgeSerializer(pledge).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses=ResolutionSerializer(many=True))
    @extend_schema(
        methods=["post"], request=ResolutionCreateSerializer, responses={201: ResolutionSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def resolutions(self, request: Request, pk: int) -> Response:
        """Decisions with their action items (GET), or a decision of the held meeting (POST)."""
        meeting = self.get_object()
        if request.method == "GET":
            return self.rows(
                selectors.resolution_list(actor=request.user, meeting=meeting), ResolutionSerializer
            )
        data = _input(request, ResolutionCreateSerializer)
        resolution = services.resolution_record(actor=request.user, meeting=meeting, **data)
        return Response(ResolutionSerializer(resolution).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MinutesSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: int) -> Response:
        meeting = self.get_object()
        data = _input(request, MinutesSerializer)
        return self._meeting(services.meeting_minutes_record(actor=request.user, meeting=meeting, **data))

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        """Archive the minutes: the meeting is closed."""
        return self._meeting(services.meeting_close(actor=request.user, meeting=self.get_object()))

    @extend_schema(methods=["get"], responses=AgreementRefSerializer(many=True))
    @extend_schema(
        methods=["post"], request=AgreementRecordSerializer, responses={201: AgreementRefSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def agreements(self, request: Request, pk: int) -> Response:
        """Agreements signed at the meeting (GET), or record one as signed there (POST)."""
        meeting = self.get_object()
        if request.method == "GET":
            return self.rows(
                selectors.meeting_agreements(actor=request.user, meeting=meeting), AgreementRefSerializer
            )
        data = _input(request, AgreementRecordSerializer)
        agreement = services.meeting_record_agreement(actor=request.user, meeting=meeting, **data)
        return Response(AgreementRefSerializer(agreement).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pack(self, request: Request, pk: int) -> HttpResponse:
        """The meeting pack as a PDF: agenda, open action items, pledges, attendance."""
        meeting = self.get_object()
        pdf = render_pdf("pdf/meeting_pack.html", selectors.meeting_pack(actor=request.user, meeting=meeting))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="meeting-{meeting.pk}.pdf"'
        return response


class AgendaItemViewSet(mixins.RetrieveModelMixin, CobuildViewSet):
    """An item of a meeting's agenda: the convener accepts, declines or moves it (with a reason
    once the agenda is sent), and records its outcome at the held meeting."""

    serializer_class = AgendaItemSerializer

    def get_object(self) -> AgendaItem:
        return selectors.agenda_item_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _item(self, item: AgendaItem) -> Response:
        return Response(AgendaItemSerializer(item).data)

    @extend_schema(request=ReasonSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        data = _input(request, ReasonSerializer)
        return self._item(services.agenda_item_accept(actor=request.user, item=item, **data))

    @extend_schema(request=ReasonSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        data = _input(request, ReasonSerializer)
        return self._item(services.agenda_item_decline(actor=request.user, item=item, **data))

    @extend_schema(request=MoveSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        data = _input(request, MoveSerializer)
        return self._item(services.agenda_item_move(actor=request.user, item=item, **data))

    @extend_schema(request=OutcomeSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        data = _input(request, OutcomeSerializer)
        return self._item(services.agenda_item_outcome(actor=request.user, item=item, **data))


class ResolutionViewSet(mixins.RetrieveModelMixin, CobuildViewSet):
    """A decision of a meeting, with its action items."""

    serializer_class = ResolutionSerializer

    def get_object(self) -> Resolution:
        return selectors.resolution_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionItemSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request: Request, pk: int) -> Response:
        """One more action item for this decision (at the held meeting)."""
        resolution = self.get_object()
        data = _input(request, ActionCreateSerializer)
        item = services.action_item_add(actor=request.user, resolution=resolution, **data)
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ActionParams(WithinParams):
    state = serializers.ChoiceField(
        [(s, s) for s in selectors.ACTION_STATES],
        required=False,
        default="open",
        help_text="open includes overdue",
    )
    meeting = serializers.IntegerField(required=False)
    q = serializers.CharField(required=False, help_text="Words of the action, or the owner's name")


class ActionCloseSerializer(serializers.Serializer[Any]):
    report = serializers.CharField(max_length=2000, help_text="What was done (required)")
    closed_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_view(list=extend_schema(parameters=[ActionParams]))
class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CobuildViewSet):
    """Action items (交办事项) the caller sees; the owner unit's liaison closes its own."""

    serializer_class = ActionItemSerializer

    def get_queryset(self) -> QuerySet[ActionItem]:
        p = _params(self.request, ActionParams)
        meeting_pk = p.get("meeting")
        meeting = selectors.meeting_get(actor=self.request.user, pk=meeting_pk) if meeting_pk else None
        return selectors.action_item_list(
            actor=self.request.user,
            state=p.get("state", "open"),
            meeting=meeting,
            within=self.within(p.get("within")),
            q=p.get("q", ""),
        )

    def get_object(self) -> ActionItem:
        return selectors.action_item_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=ActionCloseSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        """Close the item with a short report (refused without one)."""
        item = self.get_object()
        data = _input(request, ActionCloseSerializer)
        item = services.action_item_close(actor=request.user, item=item, **data)
        return Response(ActionItemSerializer(item).data)


# --- consultations -----------------------------------------------------------------------------


class ResultsSerializer(serializers.Serializer[Any]):
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    in_favour = serializers.IntegerField()
    against = serializers.IntegerField()
    no_opinion = serializers.IntegerField()
    support_rate = serializers.FloatField(allow_null=True, help_text="in favour ÷ answered")
    turnout = serializers.FloatField(allow_null=True, help_text="answered ÷ asked")


class ConsultationSerializer(serializers.ModelSerializer[Consultation]):
    area_name = serializers.CharField(source="area.name", read_only=True)
    results = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = [
            "id",
            "area",
            "area_name",
            "org",
            "kind",
            "question",
            "description",
            "opens_on",
            "closes_on",
            "is_open",
            "asked",
            "resolution",
            "decision",
            "results",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ResultsSerializer)
    def get_results(self, obj: Consultation) -> dict[str, Any]:
        results = selectors.consultation_results(actor=self.context["request"].user, consultation=obj)
        return dict(ResultsSerializer(results).data)

    def get_is_open(self, obj: Consultation) -> bool:
        return services.consultation_open(consultation=obj)


class ConsultationCreateSerializer(serializers.Serializer[Any]):
    area = Pk(org_selectors.area_list)
    org = Pk(selectors.consultation_org_choices, help_text="The territorial Party organisation asking")
    kind = serializers.ChoiceField(ConsultationKind.choices, required=False, default=ConsultationKind.POLL)
    question = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    asked = serializers.IntegerField(min_value=0, required=False, default=0)
    resolution = Pk(selectors.resolution_choices, required=False, allow_null=True)


class ConsultationUpdateSerializer(serializers.Serializer[Any]):
    question = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    opens_on = serializers.DateField(required=False)
    closes_on = serializers.DateField(required=False)
    asked = serializers.IntegerField(min_value=0, required=False)


class ConsultationParams(WithinParams):
    state = serializers.ChoiceField(
        [(s, s) for s in selectors.CONSULTATION_STATES], required=False, default="all"
    )
    kind = serializers.ChoiceField(ConsultationKind.choices, required=False)


class AnswerSerializer(serializers.ModelSerializer[ConsultationAnswer]):
    respondent = serializers.SerializerMethodField()
    online = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationAnswer
        fields = ["id", "consultation", "respondent", "online", "answer", "comment", "at"]
        read_only_fields = fields

    def get_respondent(self, obj: ConsultationAnswer) -> str:
        """The household's door; empty for a resident who answered online themself."""
        return "" if obj.user_id else obj.respondent

    def get_online(self, obj: ConsultationAnswer) -> bool:
        return obj.user_id is not None


class AnswerCreateSerializer(serializers.Serializer[Any]):
    answer = serializers.ChoiceField(Answer.choices)
    respondent = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Staff: the household's door (e.g. 3栋2单元401), never an ID or phone number",
    )
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True)
    answered_on = serializers.DateField(
        required=False, allow_null=True, help_text="Staff: the day it was given"
    )


class AttachSerializer(serializers.Serializer[Any]):
    resolution = Pk(selectors.resolution_choices, required=False, allow_null=True)
    decision = serializers.CharField(required=False, allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[ConsultationParams]))
class ConsultationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CobuildViewSet):
    """Consultations (征求意见 / 民主议事): administrators of the area, and its residents (to answer)."""

    serializer_class = ConsultationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Consultation]:
        p = _params(self.request, ConsultationParams)
        return selectors.consultation_list(
            actor=self.request.user,
            within=self.within(p.get("within")),
            state=p.get("state", "all"),
            kind=p.get("kind", ""),
        )

    def get_object(self) -> Consultation:
        return selectors.consultation_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _out(self, consultation: Consultation, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            ConsultationSerializer(consultation, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=ConsultationCreateSerializer, responses={201: ConsultationSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, ConsultationCreateSerializer, strict=True)
        consultation = services.consultation_create(actor=request.user, **data)
        return self._out(consultation, status.HTTP_201_CREATED)

    @extend_schema(request=ConsultationUpdateSerializer, responses=ConsultationSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        consultation = self.get_object()
        data = _input(request, ConsultationUpdateSerializer, strict=True, partial=True)
        return self._out(services.consultation_update(actor=request.user, consultation=consultation, **data))

    @extend_schema(methods=["get"], responses=AnswerSerializer(many=True))
    @extend_schema(methods=["post"], request=AnswerCreateSerializer, responses={201: AnswerSerializer})
    @action(detail=True, methods=["get", "post"])
    def answers(self, request: Request, pk: int) -> Response:
        """The answers (staff: all of them; a resident: their own), or one more answer (POST):
        staff give the household's door, a resident answers for themself, once."""
        consultation = self.get_object()
        if request.method == "GET":
            rows = selectors.consultation_answer_list(actor=request.user, consultation=consultation)
            return self.rows(rows, AnswerSerializer)
        data = _input(request, AnswerCreateSerializer)
        row = services.consultation_answer(actor=request.user, consultation=consultation, **data)
        return Response(AnswerSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ResultsSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: int) -> Response:
        """Counts, the support rate (in favour ÷ answered) and the turnout (answered ÷ asked)."""
        consultation = self.get_object()
        results = selectors.consultation_results(actor=request.user, consultation=consultation)
        return Response(ResultsSerializer(results).data)

    @extend_schema(request=AttachSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def attach(self, request: Request, pk: int) -> Response:
        """Attach the consultation to the decision it informed (a resolution and/or its words)."""
        consultation = self.get_object()
        data = _input(request, AttachSerializer)
        return self._out(services.consultation_attach(actor=request.user, consultation=consultation, **data))


# --- routes --------------------------------------------------------------------------------------

router = SimpleRouter(use_regex_path=False)
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("resolutions", ResolutionViewSet, basename="resolution")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("consultations", ConsultationViewSet, basename="consultation")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
