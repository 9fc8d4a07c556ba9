"""API for the member ledgers: thin serializers and viewsets over selectors (reads) and services
(writes).

Personal data leaves only masked: responses carry ``id_number_masked`` and ``phone_masked``; the
clear ID and phone numbers are write-only on input and come back only from ``reveal``, which needs
a reason and is audited by the service. The birth date is given as a year: with the masked ID
number (first six and last four characters) the full date would rebuild the whole number, and
even the year is given only to a caller who may reveal the number (else it is null).
Look-ups by ID number are POSTed so the number never sits in a URL or an access log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from gongjian.accounts.api import AuditEntrySerializer
from gongjian.core.api import BoundedPagination
from gongjian.core.api import validated_input as _input
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.api import ScopedPk, ScopedViewSet

from . import selectors, services
from .models import (
    Category,
    CoManagement,
    Education,
    Gender,
    Household,
    Member,
    MemberCategory,
    MemberReport,
    MemberStatus,
    MobileRecord,
    ReportContact,
    ReportStatus,
    Standing,
    Station,
    StationCheckIn,
    Transfer,
    TransferStatus,
    UnitReport,
    parse_id_number,
)

# --- fields ---------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class Pk(ScopedPk):
    """A scoped foreign key, described as an integer id in the schema."""


def _valid_id_number(value: str) -> None:
    """GB 11643 format and checksum; the message is in the request's language and never echoes
    the number."""
    parse_id_number(value)


def id_number_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        write_only=True, max_length=18, min_length=15, validators=[_valid_id_number], **kwargs
    )


def _params(request: Request, serializer_class: type[serializers.Serializer[Any]]) -> dict[str, Any]:
    """Validated query parameters (400 with the parameter's name when one is malformed)."""
    given = {k: v for k, v in request.query_params.items() if v != ""}
    data = serializer_class(data=given)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def paginated(serializer_class: type[serializers.Serializer[Any]], name: str) -> serializers.Serializer[Any]:
    """The schema of a page of ``serializer_class`` rows, for actions that paginate by hand."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


class LedgerViewSet(ScopedViewSet):
    """Objects come from the ledgers' selectors; ids are integers (anything else is a 404)."""

    lookup_value_converter = "int"

    def page(self, rows: QuerySet[Any], serializer_class: type[serializers.Serializer[Any]]) -> Response:
        page = self.paginate_queryset(rows)
        assert page is not None
        return self.get_paginated_response(serializer_class(page, many=True).data)


class WithinParams(serializers.Serializer[Any]):
    within = serializers.IntegerField(required=False, help_text="Only rows in the subtree of this area id")


class DateParams(serializers.Serializer[Any]):
    on = serializers.DateField(required=False, help_text="The date (YYYY-MM-DD); today by default")


class LedgerEndSerializer(serializers.Serializer[Any]):
    until = serializers.DateField()


# --- members --------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer[Member]):
    """A member as a response carries it: masked ID and phone numbers, birth year only."""

    birth_year = serializers.SerializerMethodField()
    org_name = serializers.CharField(source="org.name", read_only=True)
    residence_name = serializers.CharField(source="residence.name", read_only=True, default=None)
    work_unit_label = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "ethnicity",
            "birth_year",
            "id_number_masked",
            "phone_masked",
            "education",
            "joined_on",
            "standing",
            "status",
            "org",
            "org_name",
            "residence",
            "residence_name",
            "work_unit",
            "work_unit_name",
            "work_unit_label",
            "volunteer_no",
            "updated_at",
        ]
        read_only_fields = fields

    def get_birth_year(self, obj: Member) -> int | None:
        """The year only for a caller who may reveal the number: beside the masked number (region
        and check digit) the year narrows it to a few dozen candidates."""
        request = self.context.get("request")
        if request is None or not services.member_reveal_allowed(actor=request.user, member=obj):
            return None
        return obj.birth_date.year

    def get_work_unit_label(self, obj: Member) -> str:
        return obj.work_unit.name if obj.work_unit_id and obj.work_unit else obj.work_unit_name


class MemberCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    id_number = id_number_field()
    phone = serializers.CharField(write_only=True, max_length=20, required=False, allow_blank=True)
    org = Pk(org_selectors.party_org_list)
    joined_on = serializers.DateField()
    gender = serializers.ChoiceField(
        Gender.choices, required=False, help_text="Checked against the ID number"
    )
    birth_date = serializers.DateField(required=False, help_text="Checked against the ID number")
    ethnicity = serializers.CharField(max_length=20, required=False)
    education = serializers.ChoiceField(Education.choices, required=False, allow_blank=True)
    standing = serializers.ChoiceField(Standing.choices, required=False)
    residence = Pk(selectors.residence_choices, required=False, allow_null=True)
    work_unit = Pk(org_selectors.unit_list, required=False, allow_null=True)
    work_unit_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    volunteer_no = serializers.CharField(max_length=40, required=False, allow_blank=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(Category.choices), required=False, help_text="Ledgers to start in"
    )
    since = serializers.DateField(required=False, help_text="Start of those ledgers; joined_on by default")


class MemberUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, required=False)
    phone = serializers.CharField(write_only=True, max_length=20, required=False, allow_blank=True)
    ethnicity = serializers.CharField(max_length=20, required=False)
    education = serializers.ChoiceField(Education.choices, required=False, allow_blank=True)
    standing = serializers.ChoiceField(Standing.choices, required=False)
    status = serializers.ChoiceField(MemberStatus.choices, required=False)
    residence = Pk(selectors.residence_choices, required=False, allow_null=True)
    work_unit = Pk(org_selectors.unit_list, required=False, allow_null=True)
    work_unit_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    volunteer_no = serializers.CharField(max_length=40, required=False, allow_blank=True)


class MemberParams(WithinParams):
    q = serializers.CharField(required=False, help_text="Name in either script, or pinyin initials")
    category = serializers.ChoiceField(
        Category.choices, required=False, help_text="One ledger (or flag) at `within` on `on`"
    )
    on = serializers.DateField(required=False, help_text="The date of the ledger (YYYY-MM-DD)")
    status = serializers.ChoiceField(MemberStatus.choices, required=False)


class MemberRevealSerializer(serializers.Serializer[Any]):
    field = serializers.ChoiceField(services.REVEALABLE)
    reason = serializers.CharField(max_length=500)


class MemberRevealedSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    value = serializers.CharField()


class MemberLookupSerializer(serializers.Serializer[Any]):
    id_number = id_number_field()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MemberCategorySerializer(serializers.ModelSerializer[MemberCategory]):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = MemberCategory
        fields = ["id", "member", "category", "category_label", "area", "area_name", "since", "until", "note"]
        read_only_fields = fields


class CategoryAddSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(Category.choices)
    area = Pk(
        org_selectors.area_list,
        required=False,
        allow_null=True,
        help_text="The node whose ledger lists the member; by default where the ledger belongs",
    )
    since = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[MemberParams]))
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LedgerViewSet):
    """Members the caller may see; ID and phone numbers masked."""

    serializer_class = MemberSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = BoundedPagination  # never counts the whole scope

    def get_queryset(self) -> QuerySet[Member]:
        p = _params(self.request, MemberParams)
        return selectors.member_list(
            actor=self.request.user,
            within=self.within(),
            q=p.get("q", ""),
            category=p.get("category", ""),
            on=p.get("on"),
            status=p.get("status", ""),
        )

    def known_at_least(self) -> int:
        """A lower bound of the list's length without counting (``BoundedPagination``): with no
        filter, what the kept figures say the caller sees at least."""
        if any(self.request.query_params.get(name) for name in ("within", "q", "category", "on", "status")):
            return 0
        return selectors.member_scope_at_least(self.request.user)

    def get_object(self) -> Member:
        return selectors.member_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, MemberCreateSerializer, strict=True)
        member = services.member_create(actor=request.user, **data)
        return Response(
            MemberSerializer(member, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        member = self.get_object()
        data = _input(request, MemberUpdateSerializer, strict=True, partial=True)
        member = services.member_update(actor=request.user, member=member, **data)
        return Response(MemberSerializer(member, context={"request": request}).data)

    @extend_schema(request=MemberRevealSerializer, responses=MemberRevealedSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: int) -> Response:
        """The clear ID or phone number; needs a reason, and the read is written to the audit log."""
        member = self.get_object()
        data = _input(request, MemberRevealSerializer)
        value = services.member_reveal(
            actor=request.user, member=member, field=data["field"], reason=data["reason"]
        )
        response = Response({"field": data["field"], "value": value})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="seen-by", pagination_class=None, filter_backends=[])
    def seen_by(self, request: Request, pk: int) -> Response:
        """Who saw this member's personal data (reveals and look-ups that found them), newest first:
        for the member themself and whoever may reveal the numbers (403 otherwise)."""
        member = self.get_object()
        entries = selectors.member_seen_by(actor=request.user, member=member)
        response = Response(AuditEntrySerializer(entries, many=True).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        request=MemberLookupSerializer,
        responses={200: MemberSerializer, 404: None, 429: None},
        description="The member with this ID number, if the caller may see them (blind index). A "
        "look-up that finds someone is written to the audit log (`pii.lookup`, with the optional "
        "`reason`); look-ups are limited per person (429 past the limit, 20 an hour by default).",
    )
    @action(detail=False, methods=["post"])
    def lookup(self, request: Request) -> Response:
        data = _input(request, MemberLookupSerializer)
        member = services.member_lookup(
            actor=request.user, id_number=data["id_number"], reason=data["reason"]
        )
        if member is None:
            raise NotFound
        return Response(MemberSerializer(member, context={"request": request}).data)

    @extend_schema(methods=["get"], responses=MemberCategorySerializer(many=True))
    @extend_schema(methods=["post"], request=CategoryAddSerializer, responses={201: MemberCategorySerializer})
    @action(detail=True, methods=["get", "post"])
    def categories(self, request: Request, pk: int) -> Response:
        """The member's ledger history (GET), or a new ledger entry or flag (POST)."""
        member = self.get_object()
        if request.method == "GET":
            rows = selectors.category_history(actor=request.user, member=member)
            return Response(MemberCategorySerializer(rows, many=True).data)
        data = _input(request, CategoryAddSerializer)
        entry = services.category_add(actor=request.user, member=member, **data)
        return Response(MemberCategorySerializer(entry).data, status=status.HTTP_201_CREATED)


class MemberCategoryViewSet(LedgerViewSet):
    """Ledger entries: only ending one is done here (history is kept)."""

    serializer_class = MemberCategorySerializer

    def get_object(self) -> MemberCategory:
        return selectors.member_category_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=LedgerEndSerializer, responses=MemberCategorySerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: int) -> Response:
        entry = self.get_object()
        data = _input(request, LedgerEndSerializer)
        entry = services.category_end(actor=request.user, entry=entry, until=data["until"])
        return Response(MemberCategorySerializer(entry).data)


class LedgerCountsSerializer(serializers.Serializer[Any]):
    area = serializers.IntegerField()
    on = serializers.DateField(allow_null=True)
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Members per ledger and flag: exact, or the bound when the key is in ``more``",
    )
    more = serializers.ListField(
        child=serializers.CharField(), help_text="Ledgers and flags holding more than their count (a bound)"
    )


class LedgerAreaViewSet(LedgerViewSet):
    """The ledgers kept at an area (and below)."""

    serializer_class = LedgerCountsSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="An area id"),
            DateParams,
        ],
        responses=LedgerCountsSerializer,
    )
    @action(detail=True, methods=["get"])
    def counts(self, request: Request, pk: int) -> Response:
        area = org_selectors.area_get(actor=request.user, pk=int(pk))
        on = _params(request, DateParams).get("on")
        totals = selectors.ledger_totals(actor=request.user, area=area, on=on)
        counts = {c: totals[c].value for c in Category.values}
        more = [c for c in Category.values if totals[c].more]
        return Response({"area": area.pk, "on": on, "counts": counts, "more": more})


# --- co-management and dual reporting ------------------------------------------------------


class CoManagementSerializer(serializers.ModelSerializer[CoManagement]):
    member_name = serializers.CharField(source="member.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = CoManagement
        fields = ["id", "member", "member_name", "community", "community_name", "unit", "unit_name"]
        fields += ["since", "until"]
        read_only_fields = fields


class CoManagementCreateSerializer(serializers.Serializer[Any]):
    member = Pk(selectors.co_management_candidates)
    community = Pk(org_selectors.area_list)
    unit = Pk(org_selectors.unit_list)
    since = serializers.DateField(required=False)


class CoManagementParams(WithinParams, DateParams):
    pass


@extend_schema_view(list=extend_schema(parameters=[CoManagementParams]))
class CoManagementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LedgerViewSet):
    """Members of resident units in a community's co-management (队伍共管)."""

    serializer_class = CoManagementSerializer

    def get_queryset(self) -> QuerySet[CoManagement]:
        p = _params(self.request, CoManagementParams)
        return selectors.co_management_list(actor=self.request.user, within=self.within(), on=p.get("on"))

    def get_object(self) -> CoManagement:
        return selectors.co_management_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=CoManagementCreateSerializer, responses={201: CoManagementSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, CoManagementCreateSerializer)
        row = services.co_management_add(actor=request.user, **data)
        return Response(CoManagementSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LedgerEndSerializer, responses=CoManagementSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: int) -> Response:
        row = self.get_object()
        data = _input(request, LedgerEndSerializer)
        row = services.co_management_end(actor=request.user, row=row, until=data["until"])
        return Response(CoManagementSerializer(row).data)


class ReportContactSerializer(serializers.ModelSerializer[ReportContact]):
    class Meta:
        model = ReportContact
        fields = ["id", "report", "on", "kind", "description"]
        read_only_fields = ["id", "report"]


class MemberReportSerializer(serializers.ModelSerializer[MemberReport]):
    member_name = serializers.CharField(source="member.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = MemberReport
        fields = ["id", "member", "member_name", "community", "community_name", "skills", "preferences"]
        fields += ["status", "confirmed_on", "since", "until"]
        read_only_fields = fields


class MemberReportCreateSerializer(serializers.Serializer[Any]):
    member = Pk(selectors.member_list)
    community = Pk(
        selectors.community_choices,
        required=False,
        allow_null=True,
        help_text="By default the community the member lives in",
    )
    skills = serializers.CharField(max_length=200, required=False, allow_blank=True)
    preferences = serializers.CharField(max_length=200, required=False, allow_blank=True)
    since = serializers.DateField(required=False)


class ReportDecideSerializer(serializers.Serializer[Any]):
    confirm = serializers.BooleanField()
    on = serializers.DateField(required=False)


class MemberReportParams(WithinParams):
    status = serializers.ChoiceField(ReportStatus.choices, required=False)
    current = serializers.BooleanField(required=False, default=True, help_text="Only open registrations")


@extend_schema_view(list=extend_schema(parameters=[MemberReportParams]))
class MemberReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LedgerViewSet):
    """In-service members registering with the community where they live (个人报到)."""

    serializer_class = MemberReportSerializer

    def get_queryset(self) -> QuerySet[MemberReport]:
        p = _params(self.request, MemberReportParams)
        return selectors.member_report_list(
            actor=self.request.user,
            within=self.within(),
            status=p.get("status", ""),
            current=p.get("current", True),
        )

    def get_object(self) -> MemberReport:
        return selectors.member_report_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=MemberReportCreateSerializer, responses={201: MemberReportSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, MemberReportCreateSerializer)
        report = services.member_report_create(actor=request.user, **data)
        return Response(MemberReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReportDecideSerializer, responses=MemberReportSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: int) -> Response:
        """The community confirms or declines the registration."""
        report = self.get_object()
        data = _input(request, ReportDecideSerializer)
        report = services.member_report_decide(actor=request.user, report=report, **data)
        return Response(MemberReportSerializer(report).data)

    @extend_schema(request=ReportContactSerializer, responses={201: ReportContactSerializer})
    @action(detail=True, methods=["post"])
    def contacts(self, request: Request, pk: int) -> Response:
        """Record a contact or an activity of a confirmed member (fed back to the employer)."""
        report = self.get_object()
        data = _input(request, ReportContactSerializer)
        contact = services.report_contact_add(actor=request.user, report=report, **data)
        return Response(ReportContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class UnitReportSerializer(serializers.ModelSerializer[UnitReport]):
    org_name = serializers.CharField(source="org.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = UnitReport
        fields = ["id", "org", "org_name", "community", "community_name", "status", "note", "since", "until"]
        read_only_fields = fields


class UnitReportCreateSerializer(serializers.Serializer[Any]):
    org = Pk(org_selectors.party_org_list)
    community = Pk(selectors.report_communities)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[WithinParams]))
class UnitReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LedgerViewSet):
    """Resident units' Party organisations registering with their community (单位报到)."""

    serializer_class = UnitReportSerializer

    def get_queryset(self) -> QuerySet[UnitReport]:
        return selectors.unit_report_list(actor=self.request.user, within=self.within())

    def get_object(self) -> UnitReport:
        return selectors.unit_report_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=UnitReportCreateSerializer, responses={201: UnitReportSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, UnitReportCreateSerializer)
        report = services.unit_report_create(actor=request.user, **data)
        return Response(UnitReportSerializer(report).data, status=status.HTTP_201_CREATED)


# --- mobile members and stations ------------------------------------------------------------


class MobileRecordSerializer(serializers.ModelSerializer[MobileRecord]):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = MobileRecord
        fields = ["id", "member", "member_name", "destination", "destination_area", "reason", "card_no"]
        fields += ["contact_masked", "last_report_back", "since", "until"]
        read_only_fields = fields


class MobileRecordCreateSerializer(serializers.Serializer[Any]):
    member = Pk(selectors.member_list)
    destination = serializers.CharField(max_length=120)
    destination_area = Pk(selectors.place_list, required=False, allow_null=True)
    since = serializers.DateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    card_no = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact = serializers.CharField(write_only=True, max_length=20, required=False, allow_blank=True)


class MobileReportBackSerializer(serializers.Serializer[Any]):
    on = serializers.DateField()


class MobileParams(WithinParams):
    current = serializers.BooleanField(required=False, default=True, help_text="Only members away now")


@extend_schema_view(list=extend_schema(parameters=[MobileParams]))
class MobileRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LedgerViewSet):
    """Members away from home (流动党员); contact numbers masked."""

    serializer_class = MobileRecordSerializer

    def get_queryset(self) -> QuerySet[MobileRecord]:
        p = _params(self.request, MobileParams)
        return selectors.mobile_list(
            actor=self.request.user, within=self.within(), current=p.get("current", True)
        )

    def get_object(self) -> MobileRecord:
        return selectors.mobile_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=MobileRecordCreateSerializer, responses={201: MobileRecordSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, MobileRecordCreateSerializer)
        record = services.mobile_record_create(actor=request.user, **data)
        return Response(MobileRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MobileReportBackSerializer, responses=MobileRecordSerializer)
    @action(detail=True, methods=["post"], url_path="report-back")
    def report_back(self, request: Request, pk: int) -> Response:
        """The member reported back to the organisation holding the membership (yearly)."""
        record = self.get_object()
        data = _input(request, MobileReportBackSerializer)
        record = services.mobile_report_back(actor=request.user, record=record, on=data["on"])
        return Response(MobileRecordSerializer(record).data)

    @extend_schema(request=LedgerEndSerializer, responses=MobileRecordSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: int) -> Response:
        """The member is back: the record and the mobile ledger entry end."""
        record = self.get_object()
        data = _input(request, LedgerEndSerializer)
        record = services.mobile_record_end(actor=request.user, record=record, until=data["until"])
        return Response(MobileRecordSerializer(record).data)


class MobileRemindersSerializer(serializers.Serializer[Any]):
    report_back_due = MobileRecordSerializer(many=True)
    transfer_prompted = MobileRecordSerializer(many=True)


class MobileReminderParams(WithinParams, DateParams):
    pass


class MobileRemindersView(generics.GenericAPIView[MobileRecord]):
    """Mobile members whose yearly report-back is due, and those away long enough to transfer."""

    serializer_class = MobileRemindersSerializer

    def get_queryset(self) -> QuerySet[MobileRecord]:
        return selectors.mobile_list(actor=self.request.user)

    @extend_schema(parameters=[MobileReminderParams], responses=MobileRemindersSerializer)
    def get(self, request: Request) -> Response:
        p = _params(request, MobileReminderParams)
        within = org_selectors.area_get(actor=request.user, pk=p["within"]) if "within" in p else None
        due = selectors.mobile_reminders(actor=request.user, within=within, on=p.get("on"))
        return Response(MobileRemindersSerializer(due).data)


class StationSerializer(serializers.ModelSerializer[Station]):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Station
        fields = ["id", "name", "area", "area_name", "org", "address"]
        read_only_fields = fields


class StationCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    area = Pk(org_selectors.area_list)
    org = Pk(org_selectors.party_org_list, required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CheckInSerializer(serializers.ModelSerializer[StationCheckIn]):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = StationCheckIn
        fields = ["id", "station", "member", "member_name", "at", "purpose"]
        read_only_fields = fields


class CheckInCreateSerializer(serializers.Serializer[Any]):
    member = Pk(selectors.check_in_member_choices)
    at = serializers.DateTimeField(required=False)
    purpose = serializers.CharField(max_length=120, required=False, allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[WithinParams]))
class StationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LedgerViewSet):
    """Stations (驿站) that receive mobile members, and their check-ins."""

    serializer_class = StationSerializer

    def get_queryset(self) -> QuerySet[Station]:
        return selectors.station_list(actor=self.request.user, within=self.within())

    def get_object(self) -> Station:
        return selectors.station_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=StationCreateSerializer, responses={201: StationSerializer})
    def create(self, request: Request) -> Response:
        data = _input(request, StationCreateSerializer)
        station = services.station_create(actor=request.user, **data)
        return Response(StationSerializer(station).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        parameters=[OpenApiParameter("page", int)],
        responses=paginated(CheckInSerializer, "PaginatedCheckInList"),
    )
    @extend_schema(methods=["post"], request=CheckInCreateSerializer, responses={201: CheckInSerializer})
    @action(detail=True, methods=["get", "post"], url_path="check-ins")
    def check_ins(self, request: Request, pk: int) -> Response:
        """Who signed in at the station, newest first (GET, paginated), or a new sign-in (POST)."""
        station = self.get_object()
        if request.method == "GET":
            return self.page(selectors.check_in_list(actor=request.user, station=station), CheckInSerializer)
        data = _input(request, CheckInCreateSerializer)
        check_in = services.station_check_in(actor=request.user, station=station, **data)
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


# --- transfers ------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer[Transfer]):
    member_name = serializers.CharField(source="member.name", read_only=True)
    from_org_name = serializers.CharField(source="from_org.name", read_only=True)
    to_org_name = serializers.CharField(source="to_org.name", read_only=True)
    expires_on = serializers.DateField(read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "member", "member_name", "from_org", "from_org_name", "to_org", "to_org_name"]
        fields += ["letter_no", "valid_days", "issued_on", "expires_on", "status", "closed_on", "reason"]
        read_only_fields = fields


class TransferIssueSerializer(serializers.Serializer[Any]):
    member = Pk(selectors.member_list)
    to_org = Pk(selectors.transfer_destination_list)
    letter_no = serializers.CharField(max_length=40)
    valid_days = serializers.IntegerField(required=False, help_text="1 to 90; 30 by default")
    issued_on = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TransferReceiveSerializer(serializers.Serializer[Any]):
    on = serializers.DateField(required=False)


class TransferRejectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)


class TransferParams(serializers.Serializer[Any]):
    status = serializers.ChoiceField(TransferStatus.choices, required=False)


@extend_schema_view(list=extend_schema(parameters=[TransferParams]))
class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LedgerViewSet):
    """Transfers of membership (组织关系转接) out of or into the caller's organisations."""

    serializer_class = TransferSerializer

    def get_queryset(self) -> QuerySet[Transfer]:
        p = _params(self.request, TransferParams)
        return selectors.transfer_list(actor=self.request.user, status=p.get("status", ""))

    def get_object(self) -> Transfer:
        return selectors.transfer_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=TransferIssueSerializer, responses={201: TransferSerializer})
    def create(self, request: Request) -> Response:
        """Issue a letter: the organisation holding the membership sends it to another."""
        data = _input(request, TransferIssueSerializer)
        transfer = services.transfer_issue(actor=request.user, **data)
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransferReceiveSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: int) -> Response:
        """The receiving organisation accepts: the membership moves, exactly once."""
        transfer = self.get_object()
        data = _input(request, TransferReceiveSerializer)
        transfer = services.transfer_receive(actor=request.user, transfer=transfer, **data)
        return Response(TransferSerializer(transfer).data)

    @extend_schema(request=TransferRejectSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        transfer = self.get_object()
        data = _input(request, TransferRejectSerializer)
        transfer = services.transfer_reject(actor=request.user, transfer=transfer, reason=data["reason"])
        return Response(TransferSerializer(transfer).data)


# --- household plaques ----------------------------------------------------------------------


class HouseholdSerializer(serializers.ModelSerializer[Household]):
    area_name = serializers.CharField(source="area.name", read_only=True)
    awarded_by_name = serializers.CharField(source="awarded_by.name", read_only=True)
    neighbours = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "area", "area_name", "address", "members", "neighbours", "plaque_no", "awarded_by"]
        fields += ["awarded_by_name", "since", "until"]
        read_only_fields = fields

    def get_neighbours(self, obj: Household) -> list[str]:
        return [n.address for n in obj.neighbours.all()]


class HouseholdAwardSerializer(serializers.Serializer[Any]):
    area = Pk(org_selectors.area_list)
    address = serializers.CharField(max_length=120)
    members = Pk(selectors.member_list, many=True)
    neighbours = serializers.ListField(
        child=serializers.CharField(max_length=120), help_text="Doors of the 1-9 neighbouring households"
    )
    awarded_by = Pk(org_selectors.party_org_list, help_text="The street's Party organisation")
    plaque_no = serializers.CharField(max_length=40, required=False, allow_blank=True)
    since = serializers.DateField(required=False)


class HouseholdWithdrawSerializer(LedgerEndSerializer):
    reason = serializers.CharField(max_length=200)


class HouseholdParams(WithinParams):
    current = serializers.BooleanField(required=False, default=True, help_text="Only plaques in place")


@extend_schema_view(list=extend_schema(parameters=[HouseholdParams]))
class HouseholdViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, LedgerViewSet):
    """Party-member households (党员家庭户) with their plaques and neighbouring doors."""

    serializer_class = HouseholdSerializer

    def get_queryset(self) -> QuerySet[Household]:
        p = _params(self.request, HouseholdParams)
        return selectors.household_list(
            actor=self.request.user, within=self.within(), current=p.get("current", True)
        )

    def get_object(self) -> Household:
        return selectors.household_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=HouseholdAwardSerializer, responses={201: HouseholdSerializer})
    def create(self, request: Request) -> Response:
        """The street awards a plaque."""
        data = _input(request, HouseholdAwardSerializer)
        household = services.household_award(actor=request.user, **data)
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdWithdrawSerializer, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        household = self.get_object()
        data = _input(request, HouseholdWithdrawSerializer)
        household = services.household_withdraw(actor=request.user, household=household, **data)
        return Response(HouseholdSerializer(household).data)


__all__ = [
    "CoManagementViewSet",
    "HouseholdViewSet",
    "LedgerAreaViewSet",
    "MemberCategoryViewSet",
    "MemberReportViewSet",
    "MemberViewSet",
    "MobileRecordViewSet",
    "MobileRemindersView",
    "StationViewSet",
    "TransferViewSet",
    "UnitReportViewSet",
]
