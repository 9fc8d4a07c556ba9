"""API of demands, resources and claims: thin serializers and viewsets over the selectors (reads,
scoped to the caller) and the services (writes, audited).

- ``demands/``: list (filters ``within``, ``status`` (or ``open``), ``category``, ``urgency``, ``kind``,
  ``q``), detail, create (raise), PATCH while raised; ``review/``, ``publish/``, ``reject/``,
  ``withdraw/``, ``claim/``, ``assign/``.
- ``resources/``: list (``within``, ``status``, ``category``, ``kind``, ``q``), detail, create;
  ``publish/``, ``withdraw/``, ``claim/``.
- ``claims/``: the claims made by the caller's side or on what the caller owns (``status``,
  ``side=made``); ``accept/``, ``decline/``, ``withdraw/``.

A micro-wish's requester is written once (on create) and never read back: only the wish and
``requester_first_name`` are in any response.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gongjian.core.api import validated_input as _input
from gongjian.core.search import name_search_q
from gongjian.orgs.api import ScopedPk, ScopedViewSet

from ..models import (
    Category,
    Claim,
    ClaimStatus,
    Demand,
    DemandKind,
    DemandSource,
    DemandStatus,
    Resource,
    ResourceKind,
    ResourceStatus,
    Urgency,
)
from ..selectors import claims as selectors
from ..services import claims as services


def _enum(choices: type[models.TextChoices], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose schema component is named in settings' ENUM_NAME_OVERRIDES."""
    return serializers.ChoiceField(choices.choices, **kwargs)


class _Within:
    request: Any

    def filter_within(self, qs: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        area = selectors.within_get(actor=self.request.user, pk=int(value))
        return qs.filter(area__path__startswith=area.path)

    def filter_q(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(name_search_q(value))


# --- demands -----------------------------------------------------------------------------------


class DemandFilter(_Within, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", help_text="Name in either script, or pinyin initials")
    within = django_filters.NumberFilter(
        method="filter_within", help_text="Only in the subtree of this area id"
    )
    status = django_filters.ChoiceFilter(
        choices=[("open", "open"), *DemandStatus.choices],
        method="filter_status",
        help_text="A status, or `open` (published and not done)",
    )
    category = django_filters.ChoiceFilter(choices=Category.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    kind = django_filters.ChoiceFilter(choices=DemandKind.choices)

    class Meta:
        model = Demand
        fields: list[str] = []

    def filter_status(self, qs: QuerySet[Demand], name: str, value: str) -> QuerySet[Demand]:
        open_ = [DemandStatus.PUBLISHED, DemandStatus.CLAIMED, DemandStatus.IN_PROGRESS]
        return qs.filter(status__in=open_) if value == "open" else qs.filter(status=value)


class DemandSerializer(serializers.ModelSerializer[Demand]):
    kind = _enum(DemandKind, read_only=True)
    category = _enum(Category, read_only=True)
    urgency = _enum(Urgency, read_only=True)
    source = _enum(DemandSource, read_only=True)  # type: ignore[assignment]
    status = _enum(DemandStatus, read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    list_area_name = serializers.CharField(
        source="owner_org.area.name", read_only=True, help_text="Where the list that keeps it is"
    )
    remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = Demand
        fields = [
            "id",
            "name",
            "kind",
            "category",
            "description",
            "quantity",
            "measure",
            "claimed",
            "remaining",
            "area",
            "area_name",
            "owner_org",
            "list_area_name",
            "raised_by_unit",
            "place",
            "deadline",
            "urgency",
            "source",
            "status",
            "requester_first_name",
            "reject_reason",
            "meeting",
            "raised_at",
            "reviewed_at",
            "published_at",
            "first_claimed_at",
            "done_at",
            "closed_at",
        ]
        read_only_fields = fields


class DemandCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, help_text="What is needed (the wish of a micro-wish)")
    category = _enum(Category)
    kind = _enum(DemandKind, required=False, default=DemandKind.GENERAL)
    owner_org = ScopedPk(
        selectors.owner_org_choices,
        required=False,
        allow_null=True,
        help_text="Administrators: the territorial organisation whose list it goes on",
    )
    area = ScopedPk(
        selectors.area_choices, required=False, allow_null=True, help_text="Defaults to the list's"
    )
    raised_by_unit = ScopedPk(
        selectors.actor_units_choices,
        required=False,
        allow_null=True,
        help_text="Unit liaisons: raise for the unit (on its community's list)",
    )
    description = serializers.CharField(required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)
    measure = serializers.CharField(max_length=20, required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    urgency = _enum(Urgency, required=False, default=Urgency.NORMAL)
    source = _enum(DemandSource, required=False)  # type: ignore[assignment]
    requester_first_name = serializers.CharField(max_length=20, required=False, allow_blank=True)
    requester_name = serializers.CharField(
        max_length=60, required=False, allow_blank=True, write_only=True, help_text="Sealed; never returned"
    )
    requester_contact = serializers.CharField(
        max_length=100, required=False, allow_blank=True, write_only=True, help_text="Sealed; never returned"
    )
    meeting = ScopedPk(selectors.meeting_choices, required=False, allow_null=True)


class DemandUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, required=False)
    category = _enum(Category, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, required=False)
    measure = serializers.CharField(max_length=20, required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    urgency = _enum(Urgency, required=False)
    requester_first_name = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ListsReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class OptionalReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DemandClaimSerializer(serializers.Serializer[Any]):
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    unit = ScopedPk(
        selectors.unit_choices, required=False, allow_null=True, help_text="The claiming unit (liaison's own)"
    )
    as_member = serializers.BooleanField(
        required=False, default=False, help_text="A member claims a micro-wish"
    )
    meeting = ScopedPk(
        selectors.meeting_choices,
        required=False,
        allow_null=True,
        help_text="Claimed at this held joint meeting (recorded by its staff)",
    )


class DemandAssignSerializer(serializers.Serializer[Any]):
    unit = ScopedPk(selectors.unit_choices)
    meeting = ScopedPk(selectors.meeting_choices)
    quantity = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ClaimSerializer(serializers.ModelSerializer[Claim]):
    status = _enum(ClaimStatus, read_only=True)
    claimant = serializers.SerializerMethodField()
    demand_name = serializers.CharField(source="demand.name", read_only=True, default="")
    resource_name = serializers.CharField(source="resource.name", read_only=True, default="")
    project = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "demand",
            "demand_name",
            "resource",
            "resource_name",
            "claimant_unit",
            "claimant_org",
            "claimant_member",
            "claimant",
            "quantity",
            "note",
            "status",
            "assigned",
            "meeting",
            "claimed_at",
            "decided_at",
            "decline_reason",
            "project",
        ]
        read_only_fields = fields

    def get_claimant(self, obj: Claim) -> str:
        """Who claims: the unit, the community, or the member."""
        return selectors.claimant_label(obj)

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_project(self, obj: Claim) -> int | None:
        """The project formed by the claim once accepted."""
        project = getattr(obj, "project", None)
        return project.pk if project is not None else None


class DemandViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The demand list (需求清单) the caller may see."""

    serializer_class = DemandSerializer
    filterset_class = DemandFilter
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Demand]:
        return selectors.demand_list(actor=self.request.user)

    def get_object(self) -> Demand:
        return selectors.demand_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _out(self, demand: Demand, code: int = status.HTTP_200_OK) -> Response:
        return Response(DemandSerializer(demand).data, status=code)

    @extend_schema(request=DemandCreateSerializer, responses={201: DemandSerializer})
    def create(self, request: Request) -> Response:
        """Raise a demand: on a list the caller keeps, for the caller's unit, or as a resident."""
        data = _input(request, DemandCreateSerializer, strict=True)
        return self._out(services.demand_raise(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=DemandUpdateSerializer, responses=DemandSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """Change a demand while it waits for review."""
        demand = self.get_object()
        data = _input(request, DemandUpdateSerializer, strict=True, partial=True)
        return self._out(services.demand_update(actor=request.user, demand=demand, **data))

    @extend_schema(request=None, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: int) -> Response:
        """Reviewed and found fit by the list's administrators (still to be published)."""
        return self._out(services.demand_review(actor=request.user, demand=self.get_object()))

    @extend_schema(request=None, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: int) -> Response:
        """Publish on the list: units within reach may claim it."""
        return self._out(services.demand_publish(actor=request.user, demand=self.get_object()))

    @extend_schema(request=ListsReasonSerializer, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        demand = self.get_object()
        data = _input(request, ListsReasonSerializer)
        return self._out(services.demand_reject(actor=request.user, demand=demand, **data))

    @extend_schema(request=ListsReasonSerializer, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        demand = self.get_object()
        data = _input(request, ListsReasonSerializer)
        return self._out(services.demand_withdraw(actor=request.user, demand=demand, **data))

    @extend_schema(request=DemandClaimSerializer, responses={201: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: int) -> Response:
        """Claim it for a unit, as a member (a micro-wish), or record a claim made at a meeting."""
        demand = self.get_object()
        data = _input(request, DemandClaimSerializer, strict=True)
        claim = services.demand_claim(actor=request.user, demand=demand, **data)
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DemandAssignSerializer, responses={201: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: int) -> Response:
        """A joint meeting assigns (交办) the unclaimed demand to a unit."""
        demand = self.get_object()
        data = _input(request, DemandAssignSerializer, strict=True)
        claim = services.demand_assign(actor=request.user, demand=demand, **data)
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


# --- resources ---------------------------------------------------------------------------------


class ResourceFilter(_Within, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", help_text="Name in either script, or pinyin initials")
    within = django_filters.NumberFilter(
        method="filter_within", help_text="Only in the subtree of this area id"
    )
    status = django_filters.ChoiceFilter(choices=ResourceStatus.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices)

    class Meta:
        model = Resource
        fields: list[str] = []


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    kind = _enum(ResourceKind, read_only=True)
    category = _enum(Category, read_only=True)
    status = _enum(ResourceStatus, read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    provider = serializers.SerializerMethodField()
    remaining = serializers.IntegerField(read_only=True)
    service_areas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Resource
        fields = [
            "id",
            "name",
            "kind",
            "category",
            "description",
            "capacity",
            "measure",
            "claimed",
            "remaining",
            "area",
            "area_name",
            "provider_unit",
            "provider_org",
            "provider_member",
            "provider",
            "available_from",
            "available_until",
            "radius_km",
            "service_areas",
            "status",
            "created_at",
            "published_at",
        ]
        read_only_fields = fields

    def get_provider(self, obj: Resource) -> str:
        """Who offers it: the unit, the organisation's area, or the member."""
        return selectors.provider_label(obj)


class ResourceCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    kind = _enum(ResourceKind)
    category = _enum(Category)
    capacity = serializers.IntegerField(min_value=1, required=False, default=1)
    measure = serializers.CharField(max_length=20, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    area = ScopedPk(selectors.area_choices, required=False, allow_null=True)
    provider_unit = ScopedPk(selectors.actor_units_choices, required=False, allow_null=True)
    provider_org = ScopedPk(selectors.owner_org_choices, required=False, allow_null=True)
    as_member = serializers.BooleanField(
        required=False, default=False, help_text="Offered by the caller, a member"
    )
    available_from = serializers.DateField(required=False, allow_null=True)
    available_until = serializers.DateField(required=False, allow_null=True)
    radius_km = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    service_areas = ScopedPk(selectors.service_area_choices, many=True, required=False)


class ResourceClaimSerializer(serializers.Serializer[Any]):
    org = ScopedPk(selectors.owner_org_choices, help_text="The claiming community's Party organisation")
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    meeting = ScopedPk(selectors.meeting_choices, required=False, allow_null=True)


class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The resource list (资源清单) the caller may see."""

    serializer_class = ResourceSerializer
    filterset_class = ResourceFilter
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Resource]:
        return selectors.resource_list(actor=self.request.user).prefetch_related("service_areas")

    def get_object(self) -> Resource:
        return selectors.resource_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _out(self, resource: Resource, code: int = status.HTTP_200_OK) -> Response:
        return Response(ResourceSerializer(resource).data, status=code)

    @extend_schema(request=ResourceCreateSerializer, responses={201: ResourceSerializer})
    def create(self, request: Request) -> Response:
        """Offer a resource (a draft until published)."""
        data = _input(request, ResourceCreateSerializer, strict=True)
        return self._out(services.resource_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ResourceSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: int) -> Response:
        return self._out(services.resource_publish(actor=request.user, resource=self.get_object()))

    @extend_schema(request=ListsReasonSerializer, responses=ResourceSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        resource = self.get_object()
        data = _input(request, ListsReasonSerializer)
        return self._out(services.resource_withdraw(actor=request.user, resource=resource, **data))

    @extend_schema(request=ResourceClaimSerializer, responses={201: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: int) -> Response:
        """A community claims it (online, or recorded at a joint meeting)."""
        resource = self.get_object()
        data = _input(request, ResourceClaimSerializer, strict=True)
        claim = services.resource_claim(actor=request.user, resource=resource, **data)
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


# --- claims ------------------------------------------------------------------------------------


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)
    side = django_filters.ChoiceFilter(
        choices=[("made", "made")],
        method="filter_side",
        help_text="`made`: only the claims the caller's side made",
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_side(self, qs: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        return qs.filter(selectors.claims_made_q(self.request.user)) if value == "made" else qs


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Claims made by the caller's side, and claims on what the caller owns."""

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.claim_list(actor=self.request.user).select_related("project")

    def get_object(self) -> Claim:
        return selectors.claim_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _out(self, claim: Claim) -> Response:
        return Response(ClaimSerializer(claim).data)

    @extend_schema(request=None, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        """The owner accepts: the quantity is taken (never beyond what is left), a project opens."""
        claim = services.claim_accept(actor=request.user, claim=self.get_object())
        return self._out(selectors.claim_get(actor=request.user, pk=claim.pk))

    @extend_schema(request=ListsReasonSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        claim = self.get_object()
        data = _input(request, ListsReasonSerializer)
        return self._out(services.claim_decline(actor=request.user, claim=claim, **data))

    @extend_schema(request=OptionalReasonSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        claim = self.get_object()
        data = _input(request, OptionalReasonSerializer)
        return self._out(services.claim_withdraw(actor=request.user, claim=claim, **data))


router = SimpleRouter(use_regex_path=False)
router.register("demands", DemandViewSet, basename="demand")
router.register("resources", ResourceViewSet, basename="resource")
router.register("claims", ClaimViewSet, basename="claim")
urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
