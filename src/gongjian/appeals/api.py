"""API of residents' appeals (接诉即办): thin serializers and a viewset over the selectors (reads)
and services (writes).

- ``appeals/``: list (``?status=&kind=&overdue=1&open=1&within=&from=&to=&q=&mine=1``), register
  (POST: staff on a resident's behalf, or a resident online for their own community), detail
  (the resident's phone masked, the steps the caller may take in ``actions``);
- ``appeals/{id}/events/``: the timeline;
- ``appeals/ranking/`` (``?level=street|community|district|unit&month=YYYY-MM&period=month|ytd``):
  the monthly ranking by the five rates (``selectors.appeal_ranking``);
- ``appeals/{id}/assign/``, ``reassign/``, ``answer/``, ``solve/``, ``close/``, ``call-back/``,
  ``rate/``, ``reopen/`` (POST): the steps, in their order; ``reveal-phone/`` (POST, a reason; audited).

Every input is strict: a field a step does not take is refused (400), not dropped.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gongjian.core.api import validated_input
from gongjian.orgs.api import ScopedViewSet
from gongjian.orgs.models import Area, PartyOrg

from . import selectors, services
from .models import (
    Appeal,
    AppealEvent,
    AppealKind,
    AppealStatus,
    CallBackChannel,
    CallBackResult,
    Channel,
    Rating,
)

_input = partial(validated_input, strict=True)


def _pk_field(model: type[Any], **kwargs: Any) -> Any:
    return serializers.PrimaryKeyRelatedField(queryset=model.objects.all(), **kwargs)


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    area_name = serializers.CharField(source="area.name", read_only=True)
    assigned_org_name = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    def get_assigned_org_name(self, obj: Appeal) -> str:
        return obj.assigned_org.name if obj.assigned_org else ""

    def get_overdue(self, obj: Appeal) -> bool:
        from django.utils import timezone

        return obj.overdue_on(timezone.now())

    class Meta:
        model = Appeal
        fields = [
            "id",
            "number",
            "area",
            "area_name",
            "channel",
            "kind",
            "title",
            "status",
            "registered_at",
            "due_at",
            "working_days",
            "overdue",
            "assigned_org",
            "assigned_org_name",
            "assigned_at",
            "answered_at",
            "solved_at",
            "outcome",
            "closed_at",
            "callback_result",
            "callback_channel",
            "callback_solved",
            "called_back_at",
        ]
        read_only_fields = fields


class AppealDetailSerializer(AppealSerializer):
    """One appeal, with the resident's name and masked phone, and the steps the caller may take."""

    actions = serializers.SerializerMethodField()
    outcome_note = serializers.SerializerMethodField()

    def get_actions(self, obj: Appeal) -> list[str]:
        return services.appeal_actions(actor=self.context["request"].user, appeal=obj)

    def get_outcome_note(self, obj: Appeal) -> str:
        """The handler's report: the staff's own, empty for the resident who raised the appeal."""
        staff = selectors.appeal_staff_view(actor=self.context["request"].user, appeal=obj)
        return obj.outcome_note if staff else ""

    class Meta(AppealSerializer.Meta):
        fields = [
            *AppealSerializer.Meta.fields,
            "description",
            "resident_name",
            "phone_masked",
            "outcome_note",
            "resident_rating",
            "resident_rated_at",
            "actions",
        ]
        read_only_fields = fields


class AppealEventSerializer(serializers.ModelSerializer[AppealEvent]):
    actor_name = serializers.SerializerMethodField()
    org_name = serializers.SerializerMethodField()

    def get_actor_name(self, obj: AppealEvent) -> str:
        return str(obj.actor) if obj.actor else ""

    def get_org_name(self, obj: AppealEvent) -> str:
        return obj.org.name if obj.org else ""

    class Meta:
        model = AppealEvent
        fields = ["id", "kind", "at", "actor_name", "org", "org_name", "note"]
        read_only_fields = fields


class AppealRegisterSerializer(serializers.Serializer[Any]):
    area = _pk_field(Area, help_text="A community, compound or building")
    kind = serializers.ChoiceField(choices=AppealKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        default="",
        help_text="Staff: how it came in. Residents: online.",
    )
    resident_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20)
    registered_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Staff: when it came in (default now)"
    )


class AppealAssignSerializer(serializers.Serializer[Any]):
    org = _pk_field(PartyOrg)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealReassignSerializer(serializers.Serializer[Any]):
    org = _pk_field(PartyOrg)
    reason = serializers.CharField(max_length=500)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealHandOffSerializer(serializers.Serializer[Any]):
    org = _pk_field(PartyOrg)
    reason = serializers.CharField(max_length=500)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealAcceptHandoffSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealReturnHandoffSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField()
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealSolveSerializer(serializers.Serializer[Any]):
    solved = serializers.BooleanField(help_text="false: cannot be solved (a note says why)")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealCloseSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealCallBackSerializer(serializers.Serializer[Any]):
    result = serializers.ChoiceField(choices=CallBackResult.choices)
    channel = serializers.ChoiceField(choices=CallBackChannel.choices)
    solved = serializers.BooleanField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealRateSerializer(serializers.Serializer[Any]):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AppealReopenSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealRevealSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class AppealRevealOutSerializer(serializers.Serializer[Any]):
    phone = serializers.CharField()


class RankingRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="the area's path, or the Party organisation's id")
    name = serializers.CharField()
    place = serializers.IntegerField(allow_null=True, help_text="null: not ranked (see reason)")
    cases = serializers.IntegerField(help_text="appeals registered in the period")
    score = serializers.FloatField(allow_null=True)
    rates = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="share of 1 by rate; null: no data"
    )
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="the rates' parts")
    reason = serializers.CharField(help_text="'' ranked; too_few; no_data")
    missing = serializers.ListField(child=serializers.CharField())


class RankingSerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    min_cases = serializers.IntegerField()
    weights = serializers.ListField(child=serializers.FloatField())
    rows = RankingRowSerializer(many=True)


def _ranking_out(table: selectors.Ranking) -> dict[str, Any]:
    return {
        "level": table.level,
        "first": table.first,
        "last": table.last,
        "min_cases": table.min_cases,
        "weights": list(table.weights),
        "rows": [
            {
                "key": r.entry.key,
                "name": r.entry.name,
                "place": r.place,
                "cases": r.entry.cases,
                "score": r.score,
                "rates": r.rates,
                "counts": dict(r.entry.counts),
                "reason": r.reason,
                "missing": list(r.missing),
            }
            for r in table.rows
        ],
    }


def _month(request: Request) -> dt.date:
    raw = request.query_params.get("month", "")
    if not raw:
        return timezone.localdate()
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError as exc:
        raise serializers.ValidationError({"month": [_("Enter a month as YYYY-MM.")]}) from exc


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "") in {"1", "true", "yes"}


def _date(request: Request, name: str) -> Any:
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    field = serializers.DateField()
    try:
        return field.to_internal_value(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from exc


def _choice(request: Request, name: str, choices: list[str]) -> str:
    raw = request.query_params.get(name, "")
    if raw and raw not in choices:
        raise serializers.ValidationError({name: [f"one of {', '.join(choices)}"]})
    return raw


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=AppealStatus.values),
        OpenApiParameter("kind", str, enum=AppealKind.values),
        OpenApiParameter("channel", str, enum=Channel.values, description="how the appeal came in"),
        OpenApiParameter("not_called_back", bool, description="only closed appeals not yet called back"),
        OpenApiParameter("handoff", bool, description="only appeals handed to the caller, to accept"),
        OpenApiParameter("overdue", bool, description="only appeals due and not answered"),
        OpenApiParameter("open", bool, description="only appeals not closed"),
        OpenApiParameter("within", int, description="an area id: its subtree"),
        OpenApiParameter("from", str, description="registered on or after (YYYY-MM-DD)"),
        OpenApiParameter("to", str, description="registered on or before (YYYY-MM-DD)"),
        OpenApiParameter("q", str, description="the number, or words of the title"),
        OpenApiParameter("mine", bool, description="only appeals the caller raised online"),
    ]
)
class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Residents' appeals (接诉即办) the caller sees: administrators their subtree's, a liaison
    those assigned to their unit's Party organisations, everyone the ones they raised online."""

    serializer_class = AppealSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Appeal]:
        request = self.request
        return selectors.appeal_list(
            actor=request.user,
            status=_choice(request, "status", AppealStatus.values),
            kind=_choice(request, "kind", AppealKind.values),
            channel=_choice(request, "channel", Channel.values),
            not_called_back=_flag(request, "not_called_back"),
            handed_to_me=_flag(request, "handoff"),
            overdue=True if _flag(request, "overdue") else None,
            open_only=_flag(request, "open"),
            within=self.within(),
            registered_from=_date(request, "from"),
            registered_to=_date(request, "to"),
            q=request.query_params.get("q", ""),
            mine=_flag(request, "mine"),
        )

    def get_object(self) -> Appeal:
        return selectors.appeal_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _out(self, appeal: Appeal, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.appeal_get(actor=self.request.user, pk=appeal.pk)
        return Response(AppealDetailSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(responses=AppealDetailSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return self._out(self.get_object())

    @extend_schema(request=AppealRegisterSerializer, responses={201: AppealDetailSerializer})
    def create(self, request: Request) -> Response:
        appeal = services.appeal_register(actor=request.user, **_input(request, AppealRegisterSerializer))
        return self._out(appeal, status.HTTP_201_CREATED)

    @extend_schema(responses=AppealEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: int) -> Response:
        rows = selectors.appeal_events(actor=request.user, appeal=self.get_object())
        return Response(AppealEventSerializer(rows, many=True).data)

    @extend_schema(request=AppealAssignSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        return self._out(
            services.appeal_assign(
                actor=request.user, appeal=appeal, **_input(request, AppealAssignSerializer)
            )
        )

    @extend_schema(request=AppealReassignSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        data = _input(request, AppealReassignSerializer)
        return self._out(services.appeal_reassign(actor=request.user, appeal=appeal, **data))

    @extend_schema(request=AppealHandOffSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"], url_path="hand-off")
    def hand_off(self, request: Request, pk: int) -> Response:
        """Hand the appeal to another organisation of its city (转办): it accepts or returns it."""
        appeal = self.get_object()
        data = _input(request, AppealHandOffSerializer)
        services.appeal_hand_off(actor=request.user, appeal=appeal, **data)
        return self._out(appeal)

    @extend_schema(request=AppealAcceptHandoffSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"], url_path="accept-hand-off")
    def accept_handoff(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        data = _input(request, AppealAcceptHandoffSerializer)
        return self._out(services.appeal_accept_handoff(actor=request.user, appeal=appeal, **data))

    @extend_schema(request=AppealReturnHandoffSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="return-hand-off")
    def return_handoff(self, request: Request, pk: int) -> Response:
        """Return the hand-off with a reason; the appeal stays with the organisation handling it
        (and out of the caller's sight: no body)."""
        appeal = self.get_object()
        data = _input(request, AppealReturnHandoffSerializer)
        services.appeal_return_handoff(actor=request.user, appeal=appeal, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AppealAnswerSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        return self._out(
            services.appeal_answer(
                actor=request.user, appeal=appeal, **_input(request, AppealAnswerSerializer)
            )
        )

    @extend_schema(request=AppealSolveSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"])
    def solve(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        return self._out(
            services.appeal_solve(actor=request.user, appeal=appeal, **_input(request, AppealSolveSerializer))
        )

    @extend_schema(request=AppealCloseSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        return self._out(
            services.appeal_close(actor=request.user, appeal=appeal, **_input(request, AppealCloseSerializer))
        )

    @extend_schema(request=AppealCallBackSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"], url_path="call-back")
    def call_back(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        data = _input(request, AppealCallBackSerializer)
        return self._out(services.appeal_call_back(actor=request.user, appeal=appeal, **data))

    @extend_schema(request=AppealRateSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        return self._out(
            services.appeal_rate(actor=request.user, appeal=appeal, **_input(request, AppealRateSerializer))
        )

    @extend_schema(request=AppealReopenSerializer, responses=AppealDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        """Reopen a closed appeal within the days allowed (the resident, or staff on their behalf)."""
        appeal = self.get_object()
        data = _input(request, AppealReopenSerializer)
        return self._out(services.appeal_reopen(actor=request.user, appeal=appeal, **data))

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=list(selectors.RANK_LEVELS), description="default street"),
            OpenApiParameter("month", str, description="YYYY-MM (default: this month)"),
            OpenApiParameter(
                "period", str, enum=["month", "ytd"], description="the month, or the year to its end"
            ),
        ],
        responses=RankingSerializer,
    )
    @action(detail=False, methods=["get"])
    def ranking(self, request: Request) -> Response:
        """The monthly ranking by the five rates (staff with a place on the map)."""
        table = selectors.appeal_ranking(
            actor=request.user,
            level=_choice(request, "level", list(selectors.RANK_LEVELS)) or "street",
            month=_month(request),
            year_to_date=_choice(request, "period", ["month", "ytd"]) == "ytd",
        )
        return Response(RankingSerializer(_ranking_out(table)).data)

    @extend_schema(request=AppealRevealSerializer, responses=AppealRevealOutSerializer)
    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request: Request, pk: int) -> Response:
        appeal = self.get_object()
        phone = services.appeal_reveal_phone(
            actor=request.user, appeal=appeal, **_input(request, AppealRevealSerializer)
        )
        return Response({"phone": phone})


router = SimpleRouter(use_regex_path=False)
router.register("appeals", AppealViewSet, basename="appeal")
urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
