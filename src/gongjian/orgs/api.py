"""API for the map: thin serializers and viewsets over selectors (reads) and services (writes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .models import Alliance, AllianceMember, Area, PartyOrg, ResidentUnit

LIST_PARAMS = [
    OpenApiParameter("q", str, description="Name in either script, or pinyin initials (wjl)"),
    OpenApiParameter("within", int, description="Only rows in the subtree of this area id"),
]


@extend_schema_field(OpenApiTypes.INT)
class ScopedPk(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices are what the caller may see, through a selector."""

    def __init__(self, selector: Any, **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.selector(actor=self.context["request"].user)


class AreaSerializer(serializers.ModelSerializer[Area]):
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    level_label = serializers.CharField(read_only=True)

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "level",
            "level_label",
            "kind_label",
            "old_compound",
            "since",
            "until",
            "parent",
            "depth",
            "numchild",
        ]
        read_only_fields = ["depth", "numchild"]

    def get_parent(self, obj: Area) -> int | None:
        parent = Area.objects.get_parent(obj)
        return parent.pk if parent else None


class AreaCreateSerializer(serializers.Serializer[Any]):
    parent = ScopedPk(selectors.area_list, allow_null=True)  # type: ignore[assignment]
    name = serializers.CharField(max_length=120)
    level = serializers.IntegerField(min_value=1, max_value=6)
    code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    kind_label = serializers.CharField(max_length=20, required=False, allow_blank=True)
    old_compound = serializers.BooleanField(required=False)
    since = serializers.DateField(required=False)


class AreaUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, required=False)
    code = serializers.CharField(max_length=40, required=False)
    kind_label = serializers.CharField(max_length=20, required=False, allow_blank=True)
    old_compound = serializers.BooleanField(required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False, allow_null=True)


class ScopedViewSet(viewsets.GenericViewSet[Any]):
    """Lists and objects come from the app's selectors with the request's user as the actor; ids
    are integers (anything else is a 404)."""

    lookup_value_converter = "int"

    def within(self) -> Area | None:
        raw = self.request.query_params.get("within")
        if not raw:
            return None
        if not raw.isdigit():
            raise serializers.ValidationError({"within": "an area id"})
        return selectors.area_get(actor=self.request.user, pk=int(raw))


@extend_schema(parameters=[*LIST_PARAMS, OpenApiParameter("level", int)])
class AreaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = AreaSerializer

    def get_queryset(self) -> QuerySet[Area]:
        level = self.request.query_params.get("level")
        return selectors.area_list(
            actor=self.request.user,
            within=self.within(),
            q=self.request.query_params.get("q", ""),
            level=int(level) if level and level.isdigit() else None,
        )

    def get_object(self) -> Area:
        return selectors.area_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=AreaCreateSerializer, responses=AreaSerializer)
    def create(self, request: Request) -> Response:
        data = AreaCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        area = services.area_create(actor=request.user, **data.validated_data)
        return Response(AreaSerializer(area).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AreaUpdateSerializer, responses=AreaSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        area = self.get_object()
        data = AreaUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        area = services.area_update(actor=request.user, area=area, **data.validated_data)
        return Response(AreaSerializer(area).data)

    @extend_schema(responses=AreaSerializer(many=True))
    @action(detail=True, methods=["get"])
    def children(self, request: Request, pk: str) -> Response:
        area = self.get_object()
        return Response(
            AreaSerializer(selectors.area_children(actor=request.user, area=area), many=True).data
        )


class UnitSerializer(serializers.ModelSerializer[ResidentUnit]):
    area = ScopedPk(selectors.area_list)
    contact_phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    contact_phone_masked = serializers.CharField(read_only=True)
    is_two_new = serializers.BooleanField(read_only=True)

    class Meta:
        model = ResidentUnit
        fields = [
            "id",
            "name",
            "credit_code",
            "kind",
            "rank",
            "area",
            "address",
            "lat",
            "lng",
            "contact_name",
            "contact_phone",
            "contact_phone_masked",
            "incubator",
            "hosted_firms",
            "is_two_new",
            "since",
            "until",
        ]
        # Uniqueness and formats are the services' to check, with messages in the user's language.
        extra_kwargs: dict[str, dict[str, Any]] = {"credit_code": {"validators": []}}


class RevealSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


@extend_schema(parameters=[*LIST_PARAMS, OpenApiParameter("kind", str), OpenApiParameter("rank", str)])
class UnitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    serializer_class = UnitSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ResidentUnit]:
        p = self.request.query_params
        return selectors.unit_list(
            actor=self.request.user,
            within=self.within(),
            q=p.get("q", ""),
            kind=p.get("kind", ""),
            rank=p.get("rank", ""),
        )

    def get_object(self) -> ResidentUnit:
        return selectors.unit_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def perform_create(self, serializer: UnitSerializer) -> None:  # type: ignore[override]
        serializer.instance = services.unit_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: UnitSerializer) -> None:  # type: ignore[override]
        assert serializer.instance is not None
        serializer.instance = services.unit_update(
            actor=self.request.user, unit=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=RevealSerializer, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="reveal-contact-phone")
    def reveal_contact_phone(self, request: Request, pk: str) -> Response:
        """The clear contact phone; needs a reason, and the read is written to the audit log."""
        unit = self.get_object()
        data = RevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone = services.unit_contact_phone_reveal(
            actor=request.user, unit=unit, reason=data.validated_data["reason"]
        )
        return Response({"contact_phone": phone})


class PartyOrgSerializer(serializers.ModelSerializer[PartyOrg]):
    area = ScopedPk(selectors.area_list, required=False, allow_null=True)
    unit = ScopedPk(selectors.unit_list, required=False, allow_null=True)
    parent = ScopedPk(selectors.party_org_list, required=False, allow_null=True)  # type: ignore[assignment]
    is_territorial = serializers.BooleanField(read_only=True)

    class Meta:
        model = PartyOrg
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "area",
            "unit",
            "parent",
            "secretary",
            "is_territorial",
            "since",
            "until",
        ]
        extra_kwargs: dict[str, dict[str, Any]] = {"code": {"validators": []}}


@extend_schema(parameters=[*LIST_PARAMS, OpenApiParameter("kind", str)])
class PartyOrgViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    serializer_class = PartyOrgSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PartyOrg]:
        p = self.request.query_params
        return selectors.party_org_list(
            actor=self.request.user, within=self.within(), q=p.get("q", ""), kind=p.get("kind", "")
        )

    def get_object(self) -> PartyOrg:
        return selectors.party_org_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def perform_create(self, serializer: PartyOrgSerializer) -> None:  # type: ignore[override]
        serializer.instance = services.party_org_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: PartyOrgSerializer) -> None:  # type: ignore[override]
        assert serializer.instance is not None
        serializer.instance = services.party_org_update(
            actor=self.request.user, org=serializer.instance, **serializer.validated_data
        )


class AllianceMemberSerializer(serializers.ModelSerializer[AllianceMember]):
    unit = ScopedPk(selectors.unit_list)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = AllianceMember
        fields = ["id", "unit", "unit_name", "representative", "representative_title", "since", "until"]
        read_only_fields = ["until"]


class AllianceSerializer(serializers.ModelSerializer[Alliance]):
    convener = ScopedPk(selectors.party_org_list)
    member_count = serializers.SerializerMethodField()

    class Meta:
        model = Alliance
        fields = ["id", "name", "level", "convener", "area", "description", "since", "until", "member_count"]
        read_only_fields = ["area"]

    def get_member_count(self, obj: Alliance) -> int:
        return obj.members.filter(until__isnull=True).count()


class EndMembershipSerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField()
    until = serializers.DateField()


@extend_schema(parameters=LIST_PARAMS)
class AllianceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    serializer_class = AllianceSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Alliance]:
        return selectors.alliance_list(
            actor=self.request.user, within=self.within(), q=self.request.query_params.get("q", "")
        )

    def get_object(self) -> Alliance:
        return selectors.alliance_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def perform_create(self, serializer: AllianceSerializer) -> None:  # type: ignore[override]
        serializer.instance = services.alliance_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: AllianceSerializer) -> None:  # type: ignore[override]
        assert serializer.instance is not None
        serializer.instance = services.alliance_update(
            actor=self.request.user, alliance=serializer.instance, **serializer.validated_data
        )

    @extend_schema(methods=["get"], responses=AllianceMemberSerializer(many=True))
    @extend_schema(methods=["post"], request=AllianceMemberSerializer, responses=AllianceMemberSerializer)
    @action(detail=True, methods=["get", "post"])
    def members(self, request: Request, pk: str) -> Response:
        alliance = self.get_object()
        if request.method == "GET":
            rows = selectors.alliance_member_list(actor=request.user, alliance=alliance)
            return Response(AllianceMemberSerializer(rows, many=True, context={"request": request}).data)
        data = AllianceMemberSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        member = services.alliance_member_add(actor=request.user, alliance=alliance, **data.validated_data)
        return Response(AllianceMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndMembershipSerializer, responses=AllianceMemberSerializer)
    @action(detail=True, methods=["post"], url_path="end-membership")
    def end_membership(self, request: Request, pk: str) -> Response:
        alliance = self.get_object()
        data = EndMembershipSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = selectors.alliance_member_get(actor=request.user, pk=data.validated_data["member"])
        if member.alliance_id != alliance.pk:
            raise serializers.ValidationError({"member": "not a member of this alliance"})
        member = services.alliance_member_end(
            actor=request.user, member=member, until=data.validated_data["until"]
        )
        return Response(AllianceMemberSerializer(member).data)
