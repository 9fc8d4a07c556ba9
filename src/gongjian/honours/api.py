"""API of appraisals (reads): thin serializers and viewsets over the selectors.

- ``campaigns/``: the campaigns organised inside the caller's subtrees (``?year=``), detail;
  ``ranking/`` (every candidate with its score, adjustment, place and the parts it was scored from,
  each with the figures' dates and readings, or the panel's evidence); ``objections/`` (with answers).
- ``campaign-notices/``: the published lists, for anyone (no sign-in): the ranking with its parts,
  the objections with their answers (never who filed them unless they signed) and the honours
  awarded. A person's name is masked as on the public page; no id of a person is given.
- ``honours/``: the honours held inside the caller's subtrees (``?year=``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gongjian.core.api import query_year
from gongjian.orgs.api import ScopedViewSet

from . import selectors
from .models import Campaign, Entry, EntryPart, Honour, Objection

# --- serializers ----------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "year",
            "honour",
            "area",
            "area_name",
            "candidate_kind",
            "candidate_level",
            "how_many",
            "negative",
            "by_nomination",
            "figures_from",
            "figures_on",
            "nominations_until",
            "review_until",
            "notice_until",
            "award_on",
            "status",
        ]
        read_only_fields = fields


class PartSerializer(serializers.ModelSerializer[EntryPart]):
    criterion = serializers.CharField(source="criterion.label", read_only=True)
    kind = serializers.CharField(source="criterion.kind", read_only=True)
    indicator = serializers.CharField(source="criterion.indicator", read_only=True)
    weight = serializers.DecimalField(
        source="criterion.weight", max_digits=8, decimal_places=3, read_only=True
    )
    readings = serializers.DictField(child=serializers.FloatField(), read_only=True)

    class Meta:
        model = EntryPart
        fields = [
            "criterion",
            "kind",
            "indicator",
            "weight",
            "value",
            "points",
            "figures_from",
            "figures_on",
            "readings",
            "evidence",
        ]
        read_only_fields = fields


_ENTRY_FIELDS = [
    "id",
    "name",
    "nominated",
    "computed",
    "adjustment",
    "adjust_reason",
    "score",
    "rank",
    "listed",
    "excluded",
    "parts",
]


class PublicEntrySerializer(serializers.ModelSerializer[Entry]):
    """A candidate on a published list: its (masked, for a person) name, score and parts."""

    parts = PartSerializer(many=True, read_only=True)

    class Meta:
        model = Entry
        fields = _ENTRY_FIELDS
        read_only_fields = fields


class EntrySerializer(PublicEntrySerializer):
    """A candidate for the organisers: with the record it stands for."""

    class Meta:
        model = Entry
        fields = [*_ENTRY_FIELDS, "home", "area", "org", "unit", "member", "team"]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer[Objection]):
    entry_name = serializers.CharField(source="entry.name", read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "entry",
            "entry_name",
            "text",
            "signed",
            "filed_at",
            "answer",
            "upheld",
            "answered_at",
        ]
        read_only_fields = fields


class HonourSerializer(serializers.ModelSerializer[Honour]):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Honour
        fields = [
            "id",
            "name",
            "year",
            "negative",
            "holder",
            "rank",
            "campaign",
            "area",
            "area_name",
            "awarded_at",
        ]
        read_only_fields = fields


class NoticeSerializer(serializers.Serializer[Any]):
    campaign = CampaignSerializer()
    entries = PublicEntrySerializer(many=True)
    objections = ObjectionSerializer(many=True)
    honours = HonourSerializer(many=True)


YEAR = [OpenApiParameter("year", int, description="Only this year's")]


# --- viewsets -------------------------------------------------------------------------------


@extend_schema(parameters=YEAR)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Campaigns organised inside the caller's subtrees (a street's campaign has only its own
    candidates)."""

    serializer_class = CampaignSerializer

    def get_queryset(self) -> QuerySet[Campaign]:
        return selectors.campaign_list(actor=self.request.user, year=query_year(self.request))

    def get_object(self) -> Campaign:
        return selectors.campaign_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(parameters=[], responses=EntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def ranking(self, request: Request, pk: int) -> Response:
        """Every candidate by place (unplaced last), with the parts of its score."""
        rows = selectors.entry_rows(campaign=self.get_object())
        return Response(EntrySerializer(rows, many=True).data)

    @extend_schema(parameters=[], responses=ObjectionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def objections(self, request: Request, pk: int) -> Response:
        rows = selectors.objection_list(campaign=self.get_object())
        return Response(ObjectionSerializer(rows, many=True).data)


class NoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Any]):
    """Published lists (public notice, then awarded), for anyone."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = CampaignSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Campaign]:
        return selectors.public_list()

    @extend_schema(responses=NoticeSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        campaign = selectors.public_get(pk=int(pk))
        data = {
            "campaign": campaign,
            "entries": selectors.entry_rows(campaign=campaign),
            "objections": selectors.objection_list(campaign=campaign),
            "honours": selectors.public_honours(campaign=campaign),
        }
        return Response(NoticeSerializer(data).data)


@extend_schema(parameters=YEAR)
class HonourViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Honours held inside the caller's subtrees."""

    serializer_class = HonourSerializer

    def get_queryset(self) -> QuerySet[Honour]:
        return selectors.honour_list(actor=self.request.user, year=query_year(self.request))


router = SimpleRouter(use_regex_path=False)
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("campaign-notices", NoticeViewSet, basename="campaign-notice")
router.register("honours", HonourViewSet, basename="honour")
urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
