"""API of agreements, expanded committees and part-time seats: thin serializers and viewsets over
the selectors (reads, scoped to the caller) and the services (writes, audited).

- ``agreements/``: list (filters ``status`` read from the dates, ``within``, ``unit``, ``q``),
  detail, create (a draft), PATCH while draft; ``sign/``, ``end/``, ``reviews/`` (GET, POST) and
  ``pdf/`` (the signed document in Chinese).
- ``committees/``: list with the seats in office, detail, create.
- ``part-time-seats/``: list, detail, create (a recommendation); ``screen/``, ``approve/`` (the level
  above only), ``reject/``, ``appoint/``, ``announce/``, ``end/`` and ``certificate/`` (PDF).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gongjian.core.api import validated_input as _input
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.api import ScopedPk, ScopedViewSet

from ..models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    Clause,
    Committee,
    CommitteeKind,
    PartTimeSeat,
    SeatStep,
)
from ..selectors import agreements as selectors
from ..services import agreements as services


class PdfRenderer(BaseRenderer):
    """Lets a client ask for the document by ``Accept``; error bodies are still JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        import json

        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False, default=str).encode()


PDF_RESPONSE = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF")}


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


class _Within:
    """``within=<area id>``: the area must be in the caller's scope (404 outside it)."""

    request: Any

    def filter_within(self, qs: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        area = org_selectors.area_get(actor=self.request.user, pk=int(value))
        return self.within_rows(qs, area)

    def within_rows(self, qs: QuerySet[Any], area: Any) -> QuerySet[Any]:  # pragma: no cover - overridden
        raise NotImplementedError


# --- agreements -----------------------------------------------------------------------------------


class AgreementFilter(_Within, django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", help_text="Number, title or a party's name (either script, pinyin initials)"
    )
    status = django_filters.ChoiceFilter(
        choices=AgreementStatus.choices,
        method="filter_status",
        help_text="The status today, read from the dates",
    )
    within = django_filters.NumberFilter(
        method="filter_within",
        help_text="Hosted in, or joined by a unit sitting in, the subtree of this area id",
    )
    unit = django_filters.NumberFilter(field_name="unit", help_text="The resident unit's id")

    class Meta:
        model = Agreement
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        return qs.filter(selectors.agreement_search_q(value))

    def filter_status(self, qs: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        return qs.filter(selectors.agreement_status_q(value, timezone.localdate()))

    def within_rows(self, qs: QuerySet[Any], area: Any) -> QuerySet[Any]:
        return qs.filter(selectors.agreement_within_q(area))


class ClauseSerializer(serializers.Serializer[Any]):
    """A commitment: a clause of the catalogue with its wording (in requests and responses)."""

    kind = serializers.ChoiceField(
        Clause.choices, help_text="A clause of the catalogue; `other` for a free one"
    )
    kind_label = serializers.SerializerMethodField()
    text = serializers.CharField(max_length=2000, help_text="What the parties commit to")

    def get_kind_label(self, obj: Any) -> str:
        kind = obj["kind"] if isinstance(obj, Mapping) else obj.kind
        return str(Clause(kind).label)


class AgreementSerializer(serializers.ModelSerializer[Agreement]):
    host_org_name = serializers.CharField(source="host_org.name", read_only=True)
    unit_org_name = serializers.CharField(source="unit_org.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.SerializerMethodField()
    clauses = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "title",
            "host_org",
            "host_org_name",
            "area",
            "area_name",
            "unit_org",
            "unit_org_name",
            "unit",
            "unit_name",
            "host_liaison",
            "host_liaison_title",
            "unit_liaison",
            "unit_liaison_title",
            "starts_on",
            "ends_on",
            "yearly_plan",
            "clauses",
            "status",
            "signed_on",
            "host_signatory",
            "unit_signatory",
            "ended_on",
            "end_reason",
            "meeting",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(AgreementStatus.choices, help_text="Today, from the dates"))
    def get_status(self, obj: Agreement) -> str:
        """The status today, read from the dates (draft, signed, in force, expired, ended)."""
        return getattr(obj, "status_today", "") or selectors.agreement_status_on(obj, timezone.localdate())

    @extend_schema_field(ClauseSerializer(many=True))
    def get_clauses(self, obj: Agreement) -> list[dict[str, Any]]:
        return list(ClauseSerializer(obj.clauses.all(), many=True).data)


class AgreementCreateSerializer(serializers.Serializer[Any]):
    host_org = ScopedPk(
        selectors.agreement_host_choices, help_text="The community's or street's Party organisation"
    )
    unit_org = ScopedPk(
        selectors.agreement_unit_org_choices, help_text="The resident unit's Party organisation"
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    clauses = ClauseSerializer(many=True)
    host_liaison = serializers.CharField(max_length=60, required=False, allow_blank=True)
    host_liaison_title = serializers.CharField(max_length=60, required=False, allow_blank=True)
    unit_liaison = serializers.CharField(max_length=60, required=False, allow_blank=True)
    unit_liaison_title = serializers.CharField(max_length=60, required=False, allow_blank=True)
    yearly_plan = serializers.CharField(required=False, allow_blank=True)


class AgreementUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    clauses = ClauseSerializer(many=True, required=False, help_text="Replaces every clause, in order")
    host_liaison = serializers.CharField(max_length=60, required=False, allow_blank=True)
    host_liaison_title = serializers.CharField(max_length=60, required=False, allow_blank=True)
    unit_liaison = serializers.CharField(max_length=60, required=False, allow_blank=True)
    unit_liaison_title = serializers.CharField(max_length=60, required=False, allow_blank=True)
    yearly_plan = serializers.CharField(required=False, allow_blank=True)


class AgreementSignSerializer(serializers.Serializer[Any]):
    signed_on = serializers.DateField()
    host_signatory = serializers.CharField(max_length=60)
    unit_signatory = serializers.CharField(max_length=60)


class AgreementEndSerializer(serializers.Serializer[Any]):
    ended_on = serializers.DateField(help_text="Today or earlier")
    reason = serializers.CharField(max_length=200)


class ReviewSerializer(serializers.ModelSerializer[AgreementReview]):
    """A yearly review, as responses carry it and as a POST gives it (one a year of the term)."""

    class Meta:
        model = AgreementReview
        fields = ["id", "agreement", "year", "rating", "summary", "reviewed_on", "reviewed_by"]
        read_only_fields = ["id", "agreement", "reviewed_by"]
        extra_kwargs: dict[str, dict[str, Any]] = {
            "year": {"help_text": "A year of the term, up to this one"},
            "reviewed_on": {"required": False, "help_text": "Today by default"},
        }
        validators: list[Any] = []  # one review a year: the service checks, with its message


def _with_clauses(qs: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return qs.prefetch_related("clauses")


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Pairing agreements (结对共建协议) the caller may see."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Agreement]:
        return _with_clauses(selectors.agreement_list(actor=self.request.user))

    def get_object(self) -> Agreement:
        return selectors.agreement_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _out(self, agreement: Agreement, code: int = status.HTTP_200_OK) -> Response:
        return Response(AgreementSerializer(agreement).data, status=code)

    @extend_schema(request=AgreementCreateSerializer, responses={201: AgreementSerializer})
    def create(self, request: Request) -> Response:
        """A draft: by the community's or street's side, or proposed by the unit's liaison."""
        data = _input(request, AgreementCreateSerializer, strict=True)
        data["clauses"] = [dict(c) for c in data["clauses"]]
        agreement = services.agreement_create(actor=request.user, **data)
        return self._out(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=AgreementUpdateSerializer, responses=AgreementSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """Change a draft (a signed agreement does not change)."""
        agreement = self.get_object()
        data = _input(request, AgreementUpdateSerializer, strict=True, partial=True)
        if "clauses" in data:
            data["clauses"] = [dict(c) for c in data["clauses"]]
        agreement = services.agreement_update(actor=request.user, agreement=agreement, **data)
        return self._out(agreement)

    @extend_schema(request=AgreementSignSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: int) -> Response:
        """Both sides signed: by the community's or street's side."""
        agreement = self.get_object()
        data = _input(request, AgreementSignSerializer)
        return self._out(services.agreement_sign(actor=request.user, agreement=agreement, **data))

    @extend_schema(request=AgreementEndSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: int) -> Response:
        """End a signed agreement early, with a reason."""
        agreement = self.get_object()
        data = _input(request, AgreementEndSerializer)
        return self._out(services.agreement_end(actor=request.user, agreement=agreement, **data))

    @extend_schema(methods=["get"], responses=ReviewSerializer(many=True))
    @extend_schema(methods=["post"], request=ReviewSerializer, responses={201: ReviewSerializer})
    @action(detail=True, methods=["get", "post"])
    def reviews(self, request: Request, pk: int) -> Response:
        """The yearly reviews (GET), or this year's (POST; one a year)."""
        agreement = self.get_object()
        if request.method == "GET":
            rows = selectors.agreement_reviews(actor=request.user, agreement=agreement)
            return Response(ReviewSerializer(rows, many=True).data)
        data = _input(request, ReviewSerializer, strict=True)
        review = services.agreement_review(actor=request.user, agreement=agreement, **data)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: int) -> HttpResponse:
        """The agreement as a PDF in Chinese: parties, term, clauses, plan, liaisons, signatures."""
        agreement = self.get_object()
        data = selectors.agreement_document(actor=request.user, agreement=agreement)
        return _pdf(data, f"{agreement.number}.pdf")


# --- committees -----------------------------------------------------------------------------------


class CommitteeFilter(_Within, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", help_text="Name, organisation or area (either script)")
    kind = django_filters.ChoiceFilter(choices=CommitteeKind.choices)
    within = django_filters.NumberFilter(
        method="filter_within", help_text="Only in the subtree of this area id"
    )

    class Meta:
        model = Committee
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Committee], name: str, value: str) -> QuerySet[Committee]:
        return qs.filter(selectors.committee_search_q(value))

    def within_rows(self, qs: QuerySet[Any], area: Any) -> QuerySet[Any]:
        return qs.filter(area__path__startswith=area.path)


class CommitteeSerializer(serializers.ModelSerializer[Committee]):
    org_name = serializers.CharField(source="org.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    seats_in_force = serializers.IntegerField(
        read_only=True, default=0, help_text="Part-time members in office today"
    )
    seats_pending = serializers.IntegerField(read_only=True, default=0, help_text="Being appointed")

    class Meta:
        model = Committee
        fields = [
            "id",
            "name",
            "kind",
            "org",
            "org_name",
            "area",
            "area_name",
            "established_on",
            "seats_in_force",
            "seats_pending",
        ]
        read_only_fields = fields


class CommitteeCreateSerializer(serializers.Serializer[Any]):
    org = ScopedPk(
        selectors.committee_org_choices,
        help_text="A street's or community's Party organisation; the kind (大工委, 大党委) follows its level",
    )
    established_on = serializers.DateField()
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)


class CommitteeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Expanded committees: a street's 大工委 and a community's 大党委."""

    serializer_class = CommitteeSerializer
    filterset_class = CommitteeFilter
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Committee]:
        return selectors.committee_list(actor=self.request.user)

    def get_object(self) -> Committee:
        return selectors.committee_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=CommitteeCreateSerializer, responses={201: CommitteeSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, CommitteeCreateSerializer, strict=True)
        committee = services.committee_create(actor=request.user, **data)
        committee = selectors.committee_get(actor=request.user, pk=committee.pk)
        return Response(CommitteeSerializer(committee).data, status=status.HTTP_201_CREATED)


# --- part-time seats ------------------------------------------------------------------------------


class SeatFilter(_Within, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", help_text="Person, unit or certificate number")
    committee = django_filters.NumberFilter(field_name="committee")
    unit = django_filters.NumberFilter(field_name="unit")
    step = django_filters.ChoiceFilter(choices=SeatStep.choices)
    on = django_filters.DateFilter(method="filter_on", help_text="Only seats in office on this date")
    within = django_filters.NumberFilter(
        method="filter_within", help_text="Committees in the subtree of this area id"
    )

    class Meta:
        model = PartTimeSeat
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[PartTimeSeat], name: str, value: str) -> QuerySet[PartTimeSeat]:
        return qs.filter(selectors.seat_search_q(value))

    def filter_on(self, qs: QuerySet[PartTimeSeat], name: str, value: Any) -> QuerySet[PartTimeSeat]:
        return qs.filter(PartTimeSeat.in_force_on(value))

    def within_rows(self, qs: QuerySet[Any], area: Any) -> QuerySet[Any]:
        return qs.filter(committee__area__path__startswith=area.path)


class SeatSerializer(serializers.ModelSerializer[PartTimeSeat]):
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = PartTimeSeat
        fields = [
            "id",
            "committee",
            "committee_name",
            "person_name",
            "unit",
            "unit_name",
            "unit_title",
            "member",
            "duty",
            "step",
            "recommended_on",
            "recommended_by",
            "screened_on",
            "approved_on",
            "approved_by",
            "appointed_on",
            "announced_on",
            "certificate_no",
            "since",
            "until",
            "note",
        ]
        read_only_fields = fields


class SeatRecommendSerializer(serializers.Serializer[Any]):
    committee = ScopedPk(selectors.committee_list)
    person_name = serializers.CharField(max_length=60)
    unit = ScopedPk(org_selectors.unit_list, help_text="A unit sitting in the committee's area")
    unit_title = serializers.CharField(max_length=60, required=False, allow_blank=True)
    member = ScopedPk(selectors.seat_member_choices, required=False, allow_null=True)
    duty = serializers.CharField(max_length=120, required=False, allow_blank=True)
    recommended_on = serializers.DateField(required=False)
    recommended_by = serializers.CharField(max_length=120, required=False, allow_blank=True)


class SeatDateSerializer(serializers.Serializer[Any]):
    on = serializers.DateField(required=False, help_text="Today by default")


class SeatRejectSerializer(SeatDateSerializer):
    reason = serializers.CharField(max_length=200)


class SeatAppointSerializer(serializers.Serializer[Any]):
    since = serializers.DateField(help_text="The term starts")
    until = serializers.DateField(help_text="The first day the seat is no longer held")
    appointed_on = serializers.DateField(required=False)


class SeatEndSerializer(serializers.Serializer[Any]):
    until = serializers.DateField(help_text="The first day the seat is no longer held")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SeatViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Part-time seats (兼职委员): recommendation → screening → approval by the level above →
    appointment → public notice in the unit; or not taken; then ended."""

    serializer_class = SeatSerializer
    filterset_class = SeatFilter
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[PartTimeSeat]:
        return selectors.seat_list(actor=self.request.user)

    def get_object(self) -> PartTimeSeat:
        return selectors.seat_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _out(self, seat: PartTimeSeat, code: int = status.HTTP_200_OK) -> Response:
        return Response(SeatSerializer(seat).data, status=code)

    @extend_schema(request=SeatRecommendSerializer, responses={201: SeatSerializer})
    def create(self, request: Request) -> Response:
        """Recommend a unit's leader to a committee."""
        data = _input(request, SeatRecommendSerializer, strict=True)
        return self._out(services.seat_recommend(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=SeatDateSerializer, responses=SeatSerializer)
    @action(detail=True, methods=["post"])
    def screen(self, request: Request, pk: int) -> Response:
        seat = self.get_object()
        on = _input(request, SeatDateSerializer).get("on")
        return self._out(services.seat_screen(actor=request.user, seat=seat, screened_on=on))

    @extend_schema(request=SeatDateSerializer, responses=SeatSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """Only an administrator of a level above the committee's area approves."""
        seat = self.get_object()
        on = _input(request, SeatDateSerializer).get("on")
        return self._out(services.seat_approve(actor=request.user, seat=seat, approved_on=on))

    @extend_schema(request=SeatRejectSerializer, responses=SeatSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Not taken: at screening (the committee's side) or at approval (the level above)."""
        seat = self.get_object()
        data = _input(request, SeatRejectSerializer)
        return self._out(services.seat_reject(actor=request.user, seat=seat, **data))

    @extend_schema(request=SeatAppointSerializer, responses=SeatSerializer)
    @action(detail=True, methods=["post"])
    def appoint(self, request: Request, pk: int) -> Response:
        """Appoint for a term; the certificate number is generated."""
        seat = self.get_object()
        data = _input(request, SeatAppointSerializer)
        return self._out(services.seat_appoint(actor=request.user, seat=seat, **data))

    @extend_schema(request=SeatDateSerializer, responses=SeatSerializer)
    @action(detail=True, methods=["post"])
    def announce(self, request: Request, pk: int) -> Response:
        """The public notice in the member's own unit (the unit's liaison may record it)."""
        seat = self.get_object()
        on = _input(request, SeatDateSerializer).get("on")
        return self._out(services.seat_announce(actor=request.user, seat=seat, announced_on=on))

    @extend_schema(request=SeatEndSerializer, responses=SeatSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: int) -> Response:
        seat = self.get_object()
        data = _input(request, SeatEndSerializer)
        return self._out(services.seat_end(actor=request.user, seat=seat, **data))

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def certificate(self, request: Request, pk: int) -> HttpResponse:
        """The appointment certificate (聘书) as a PDF in Chinese; 403 before the appointment."""
        seat = self.get_object()
        data = selectors.seat_certificate(actor=request.user, seat=seat)
        return _pdf(data, f"聘书-{seat.certificate_no}.pdf")


router = SimpleRouter(use_regex_path=False)
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("committees", CommitteeViewSet, basename="committee")
router.register("part-time-seats", SeatViewSet, basename="part-time-seat")
urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
