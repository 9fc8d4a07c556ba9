"""API of projects: thin serializers and viewsets over the selectors (reads, scoped to the caller)
and the services (writes, audited).

- ``projects/``: list (filters ``status``, ``rating``, ``meeting``, ``within``, ``q``), detail,
  PATCH (plan, due date, partners, beneficiaries, hours, public); ``milestones/`` (GET, POST),
  ``reorder-milestones/``, ``evidence/`` (GET, POST multipart), ``reports/`` (GET, POST),
  ``complete/``, ``rate/``, ``close/``, ``cancel/``.
- ``milestones/{id}/`` GET, PATCH; ``evidence/{id}/`` GET, PATCH and ``file/``;
  ``progress-reports/{id}/`` GET and ``inspect/``.
- ``boards/{area id}/``: the public project board of an area for residents' apps (no login, no
  personal data); ``board-projects/{id}/satisfaction/``: a resident rates a finished project.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gongjian.cobuild.models import JointMeeting
from gongjian.core.api import validated_input as _input
from gongjian.core.parsers import FormParser, JSONParser, MultiPartParser
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.api import ScopedViewSet
from gongjian.orgs.models import ResidentUnit

from ..models import Evidence, Milestone, ProgressReport, Project, ProjectStatus, Rating
from ..selectors import projects as selectors
from ..services import projects as services
from ..views.projects import evidence_file_response

# --- serializers ----------------------------------------------------------------------------------


class ProjectMilestoneSerializer(serializers.ModelSerializer[Milestone]):
    class Meta:
        model = Milestone
        fields = ["id", "project", "position", "title", "weight", "due_on", "percent", "done_on"]
        read_only_fields = fields


class ProjectMilestoneInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    weight = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    due_on = serializers.DateField(required=False, allow_null=True)
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    done_on = serializers.DateField(
        required=False, allow_null=True, help_text="Only at 100%; today by default when it reaches 100%"
    )


class ProjectReorderSerializer(serializers.Serializer[Any]):
    order = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every milestone id of the project, in the new order"
    )


class ProjectEvidenceSerializer(serializers.ModelSerializer[Evidence]):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "project", "milestone", "kind", "caption", "public", "uploaded_at", "file_url"]
        read_only_fields = fields

    def get_file_url(self, obj: Evidence) -> str:
        """The file, through the scope check (``evidence/{id}/file/``)."""
        from django.urls import reverse

        return reverse("evidence-file", args=[obj.pk])


class ProjectEvidenceUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="A photo (JPEG, PNG, WebP) or a PDF, .docx or .xlsx file; 10 MB at most"
    )
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True)
    public = serializers.BooleanField(
        required=False, default=False, help_text="Photos only reach the public board"
    )
    milestone = serializers.IntegerField(
        required=False, allow_null=True, help_text="A milestone of this project"
    )


class ProjectEvidenceUpdateSerializer(serializers.Serializer[Any]):
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True)
    public = serializers.BooleanField(required=False)


class ProjectReportSerializer(serializers.ModelSerializer[ProgressReport]):
    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "year",
            "quarter",
            "text",
            "percent",
            "inspected",
            "reported_at",
            "inspected_at",
        ]
        read_only_fields = fields


class ProjectReportInputSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    text = serializers.CharField()
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)


class ProjectSerializer(serializers.ModelSerializer[Project]):
    area_name = serializers.CharField(source="area.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, default=None)
    lead_org_name = serializers.CharField(source="lead_org.name", read_only=True, default=None)
    partners = serializers.SerializerMethodField(help_text="Partner unit ids")
    days_to_claim = serializers.FloatField(read_only=True, allow_null=True, help_text="Publication → claim")
    days_to_complete = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Publication → completion"
    )

    def get_partners(self, obj: Project) -> list[int]:
        return [u.pk for u in obj.partners.all()]

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "demand",
            "resource",
            "claim",
            "area",
            "area_name",
            "lead_unit",
            "lead_unit_name",
            "lead_org",
            "lead_org_name",
            "partners",
            "plan",
            "starts_on",
            "due_on",
            "status",
            "percent",
            "beneficiaries",
            "hours",
            "meeting",
            "published_at",
            "claimed_at",
            "completed_at",
            "days_to_claim",
            "days_to_complete",
            "rating",
            "rated_on",
            "public",
            "closed_at",
            "cancelled_at",
            "cancel_reason",
        ]
        read_only_fields = fields


class ProjectUpdateSerializer(serializers.Serializer[Any]):
    plan = serializers.CharField(required=False, allow_blank=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    partners: serializers.PrimaryKeyRelatedField[ResidentUnit] = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=ResidentUnit.objects.all(),
        help_text="Partner unit ids (all of them)",
    )
    beneficiaries = serializers.IntegerField(min_value=0, required=False)
    hours = serializers.DecimalField(max_digits=10, decimal_places=1, min_value=0, required=False)
    public = serializers.BooleanField(required=False)


class ProjectCompleteSerializer(serializers.Serializer[Any]):
    beneficiaries = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    hours = serializers.DecimalField(
        max_digits=10, decimal_places=1, min_value=0, required=False, allow_null=True
    )


class ProjectRateSerializer(serializers.Serializer[Any]):
    rating = serializers.ChoiceField(Rating.choices)
    rated_on = serializers.DateField(required=False, allow_null=True)


class ProjectCancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class ProjectSatisfactionInputSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ProjectSatisfactionOutSerializer(serializers.Serializer[Any]):
    project = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


# --- projects -------------------------------------------------------------------------------------


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", help_text="Project, lead or partner (either script, pinyin)"
    )
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)
    rating = django_filters.ChoiceFilter(choices=Rating.choices)
    meeting = django_filters.ModelChoiceFilter(
        queryset=JointMeeting.objects.all(), help_text="A joint meeting id"
    )
    within = django_filters.NumberFilter(
        method="filter_within", help_text="Only in the subtree of this area id"
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return qs.filter(selectors.project_search_q(value))

    def filter_within(self, qs: QuerySet[Project], name: str, value: int) -> QuerySet[Project]:
        area = org_selectors.area_get(actor=self.request.user, pk=int(value))
        return qs.filter(area__path__startswith=area.path)


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Co-building projects (项目清单) the caller may see: by area for administrators, led or
    joined by their unit for liaisons."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Project]:
        return selectors.project_list(actor=self.request.user).prefetch_related("partners")

    def get_object(self) -> Project:
        return selectors.project_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _out(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        project = selectors.project_get(actor=self.request.user, pk=project.pk)
        return Response(ProjectSerializer(project).data, status=code)

    @extend_schema(request=ProjectUpdateSerializer, responses=ProjectSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """Plan, due date, partners, beneficiaries, hours, public flag (while in progress)."""
        project = self.get_object()
        data = _input(request, ProjectUpdateSerializer, strict=True, partial=True)
        return self._out(services.project_update(actor=request.user, project=project, **data))

    @extend_schema(methods=["get"], responses=ProjectMilestoneSerializer(many=True))
    @extend_schema(
        methods=["post"], request=ProjectMilestoneInputSerializer, responses={201: ProjectMilestoneSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def milestones(self, request: Request, pk: int) -> Response:
        """The milestones in order (GET), or a new last one (POST); the percent rolls up."""
        project = self.get_object()
        if request.method == "GET":
            rows = selectors.project_milestones(actor=request.user, project=project)
            return Response(ProjectMilestoneSerializer(rows, many=True).data)
        data = _input(request, ProjectMilestoneInputSerializer, strict=True)
        milestone = services.milestone_add(actor=request.user, project=project, **data)
        return Response(ProjectMilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectReorderSerializer, responses=ProjectMilestoneSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="reorder-milestones")
    def reorder_milestones(self, request: Request, pk: int) -> Response:
        project = self.get_object()
        data = _input(request, ProjectReorderSerializer)
        rows = services.milestone_reorder(actor=request.user, project=project, order=data["order"])
        return Response(ProjectMilestoneSerializer(rows, many=True).data)

    @extend_schema(methods=["get"], responses=ProjectEvidenceSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": ProjectEvidenceUploadSerializer},
        responses={201: ProjectEvidenceSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def evidence(self, request: Request, pk: int) -> Response:
        """The evidence (GET), or an upload (POST, multipart), checked by its content."""
        project = self.get_object()
        if request.method == "GET":
            rows = selectors.project_evidence(actor=request.user, project=project)
            return Response(ProjectEvidenceSerializer(rows, many=True).data)
        data = _input(request, ProjectEvidenceUploadSerializer)
        milestone_id = data.pop("milestone", None)
        milestone = None
        if milestone_id is not None:
            milestone = (
                selectors.project_milestones(actor=request.user, project=project)
                .filter(pk=milestone_id)
                .first()
            )
            if milestone is None:
                raise serializers.ValidationError(
                    {"milestone": [_("That milestone belongs to another project.")]}
                )
        evidence = services.evidence_add(
            actor=request.user, project=project, upload=data.pop("file"), milestone=milestone, **data
        )
        return Response(ProjectEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses=ProjectReportSerializer(many=True))
    @extend_schema(
        methods=["post"], request=ProjectReportInputSerializer, responses={201: ProjectReportSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def reports(self, request: Request, pk: int) -> Response:
        """The quarterly progress reports (GET), or this quarter's by the lead (POST)."""
        project = self.get_object()
        if request.method == "GET":
            rows = selectors.project_reports(actor=request.user, project=project)
            return Response(ProjectReportSerializer(rows, many=True).data)
        data = _input(request, ProjectReportInputSerializer, strict=True)
        report = services.report_add(actor=request.user, project=project, **data)
        return Response(ProjectReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectCompleteSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        """Done: at 100% with at least one piece of evidence."""
        project = self.get_object()
        data = {k: v for k, v in _input(request, ProjectCompleteSerializer).items() if v is not None}
        return self._out(services.project_complete(actor=request.user, project=project, **data))

    @extend_schema(request=ProjectRateSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: int) -> Response:
        """The year-end rating by the area's administrators."""
        project = self.get_object()
        data = _input(request, ProjectRateSerializer)
        return self._out(services.project_rate(actor=request.user, project=project, **data))

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        project = self.get_object()
        return self._out(services.project_close(actor=request.user, project=project))

    @extend_schema(request=ProjectCancelSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        project = self.get_object()
        data = _input(request, ProjectCancelSerializer)
        return self._out(services.project_cancel(actor=request.user, project=project, **data))


class MilestoneViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = ProjectMilestoneSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Milestone:
        return selectors.milestone_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(
        request=ProjectMilestoneInputSerializer(partial=True), responses=ProjectMilestoneSerializer
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        milestone = self.get_object()
        data = _input(request, ProjectMilestoneInputSerializer, strict=True, partial=True)
        milestone = services.milestone_update(actor=request.user, milestone=milestone, **data)
        return Response(ProjectMilestoneSerializer(milestone).data)


class EvidenceViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = ProjectEvidenceSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Evidence:
        return selectors.evidence_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=ProjectEvidenceUpdateSerializer, responses=ProjectEvidenceSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        evidence = self.get_object()
        data = _input(request, ProjectEvidenceUpdateSerializer, strict=True, partial=True)
        return Response(
            ProjectEvidenceSerializer(
                services.evidence_update(actor=request.user, evidence=evidence, **data)
            ).data
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: int) -> FileResponse:
        """The photo or file itself."""
        return evidence_file_response(self.get_object(), public=False)


class ProgressReportViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = ProjectReportSerializer
    lookup_value_converter = "int"

    def get_object(self) -> ProgressReport:
        return selectors.report_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=None, responses=ProjectReportSerializer)
    @action(detail=True, methods=["post"])
    def inspect(self, request: Request, pk: int) -> Response:
        """Marked inspected by the review team (administrators of the level above)."""
        report = services.report_inspect(actor=request.user, report=self.get_object())
        return Response(ProjectReportSerializer(report).data)


# --- the public board -----------------------------------------------------------------------------


class BoardMilestoneSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    percent = serializers.IntegerField()
    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    done = serializers.BooleanField()


class BoardPhotoSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(help_text="The photo (public)")
    caption = serializers.CharField()


class BoardSatisfactionSerializer(serializers.Serializer[Any]):
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class BoardProjectSerializer(serializers.Serializer[Any]):
    """A project as the public board shows it: no person's name, phone or ID number; a micro-wish
    shows only the wish and the first name its requester gave."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    micro_wish = serializers.BooleanField()
    wish_first_name = serializers.CharField()
    area = serializers.CharField()
    status = serializers.ChoiceField(ProjectStatus.choices)
    status_label = serializers.CharField()
    percent = serializers.IntegerField()
    lead = serializers.CharField(help_text="The lead unit or organisation")
    partners = serializers.ListField(child=serializers.CharField())
    starts_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    days_to_claim = serializers.FloatField(allow_null=True)
    days_to_complete = serializers.FloatField(allow_null=True)
    beneficiaries = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)
    rating = serializers.CharField()
    rating_label = serializers.CharField()
    finished = serializers.BooleanField()
    milestones = BoardMilestoneSerializer(many=True)
    photos = BoardPhotoSerializer(many=True)
    satisfaction = BoardSatisfactionSerializer()


class BoardSerializer(serializers.Serializer[Any]):
    area = serializers.DictField(child=serializers.CharField())
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    results = BoardProjectSerializer(many=True)


class BoardViewSet(viewsets.GenericViewSet[Any]):
    """The public project board of an area (and everything below it), for residents' apps."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = BoardSerializer
    lookup_value_converter = "int"
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("page", int)], responses=BoardSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        area = selectors.board_area(actor=request.user, pk=int(pk))
        page = selectors.board_page(actor=request.user, area=area, page=request.query_params.get("page"))
        results = [
            {**p, "photos": [{**ph, "url": request.build_absolute_uri(ph["url"])} for ph in p["photos"]]}
            for p in page.projects
        ]
        data = {
            "area": {"id": str(area.pk), "name": area.name, "code": area.code},
            "count": page.page.paginator.count,
            "page": page.page.number,
            "num_pages": page.page.paginator.num_pages,
            "results": results,
        }
        return Response(BoardSerializer(data).data)


class BoardProjectViewSet(viewsets.GenericViewSet[Any]):
    """Residents' satisfaction with a project of the public board."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProjectSatisfactionOutSerializer
    lookup_value_converter = "int"

    @extend_schema(
        request=ProjectSatisfactionInputSerializer, responses={201: ProjectSatisfactionOutSerializer}
    )
    @action(detail=True, methods=["post"])
    def satisfaction(self, request: Request, pk: int) -> Response:
        """A resident of the area (or who raised the demand) rates a finished project 1-5, once."""
        project = selectors.board_project_get(actor=request.user, pk=int(pk))
        data = _input(request, ProjectSatisfactionInputSerializer, strict=True)
        services.satisfaction_rate(actor=request.user, project=project, **data)
        summary = selectors.satisfaction_summary(project)
        out = {"project": project.pk, "average": summary.average, "count": summary.count}
        return Response(ProjectSatisfactionOutSerializer(out).data, status=status.HTTP_201_CREATED)


router = SimpleRouter(use_regex_path=False)
router.register("projects", ProjectViewSet, basename="project")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("progress-reports", ProgressReportViewSet, basename="progress-report")
router.register("boards", BoardViewSet, basename="board")
router.register("board-projects", BoardProjectViewSet, basename="board-project")
urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
