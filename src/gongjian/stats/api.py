"""API of the figures (under /api/v1/stats/): the catalogue, a node's figures on a date, its
dashboard (figures with their monthly trend, the areas below ranked) and the records behind a
figure, paginated. Areas are named by their division code; everything goes through the selectors,
so an area outside the caller's scope answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import reports, selectors
from .forms import FIRST_DATE, last_date
from .indicators import Indicator, denominators
from .management.commands.indicators import today
from .registry import MapArea, Value, catalogue

LANGUAGES = ("zh-hans", "zh-hant", "en")
KIND_HELP = "stock (on the date), flow (from 1 January to the date) or ratio (0..1)"

CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The area's division code (430100)")
INDICATOR = OpenApiParameter(
    "indicator", str, OpenApiParameter.PATH, description="An indicator id of the catalogue (members.direct)"
)


# --- query parameters -------------------------------------------------------------------------


class DateParams(serializers.Serializer[Any]):
    date = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="YYYY-MM-DD; today in China by default",
        error_messages={"invalid": gettext_lazy("Write the date as YYYY-MM-DD, for example 2018-09-04.")},
    )

    def validate_date(self, value: dt.date) -> dt.date:
        if not FIRST_DATE <= value <= last_date():
            raise serializers.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": FIRST_DATE.isoformat(), "last": last_date().isoformat()}
            )
        return value


class DashboardParams(DateParams):
    rank = serializers.ChoiceField(
        choices=[], required=False, help_text="The indicator id the areas below are ranked by"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rank"]
        assert isinstance(field, serializers.ChoiceField)
        field.choices = [i.id for i in reports.visible_indicators()]


def _params(request: Request, serializer_class: type[DateParams]) -> dict[str, Any]:
    """Validated query parameters; 400 with the reason in the caller's language otherwise."""
    given = {k: v for k, v in request.query_params.items() if v != "" and k in ("date", "rank")}
    data = serializer_class(data=given)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    if values.get("date") is None:
        values["date"] = today()
    return values


# --- responses (for the schema) ---------------------------------------------------------------


class AreaRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class FiguresSerializer(serializers.Serializer[Any]):
    area = AreaRefSerializer()
    date = serializers.DateField()
    indicators = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Indicator id → value (ratios in 0..1; null: a ratio with nothing to divide by)",
    )
    denominators = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Ratio id → the count it divides by (0 where the ratio is null)",
    )


class TrendPointSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(help_text="The end of a month; the last point is the date asked for")
    value = serializers.FloatField(allow_null=True)


class FigureSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.CharField(help_text="In the caller's language")
    kind = serializers.CharField(help_text=KIND_HELP)
    value = serializers.FloatField(allow_null=True, help_text="null: a ratio with nothing to divide by")
    trend = TrendPointSerializer(many=True)


class ChildSerializer(serializers.Serializer[Any]):
    area = AreaRefSerializer()
    values = serializers.DictField(child=serializers.FloatField(allow_null=True))


class DashboardSerializer(serializers.Serializer[Any]):
    area = AreaRefSerializer()
    date = serializers.DateField()
    ancestors = AreaRefSerializer(many=True)
    rank_by = serializers.CharField()
    figures = FigureSerializer(many=True)
    children = ChildSerializer(many=True, help_text="Ranked by rank_by, highest first")


# (built with inline_serializer: a field called "label" would shadow Field.label on a class)
RowSerializer = inline_serializer(
    name="IndicatorRow",
    fields={
        "id": serializers.IntegerField(),
        "model": serializers.CharField(help_text="app_label.model of the record (members.member)"),
        "label": serializers.CharField(help_text="Names only: never a clear ID or phone number"),
        "place": serializers.CharField(),
    },
)


class CatalogueEntrySerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    names = serializers.DictField(child=serializers.CharField(), help_text="zh-hans, zh-hant, en")
    kind = serializers.CharField(help_text=KIND_HELP)
    definition = serializers.CharField()


def _area_ref(area: MapArea) -> dict[str, str]:
    return {"code": area.code, "name": area.name}


def _visible(values: dict[str, Value]) -> dict[str, Value]:
    """The figures shown (not the parts of ratios), in catalogue order."""
    return {i.id: values[i.id] for i in reports.visible_indicators() if i.id in values}


# --- views ------------------------------------------------------------------------------------


class CatalogueView(APIView):
    """The indicators: ids, names in the three languages, kind and definition."""

    @extend_schema(responses=CatalogueEntrySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "id": i.id,
                    "names": {language: i.name(language) for language in LANGUAGES},
                    "kind": i.kind,
                    "definition": reports.definition(i),
                }
                for i in reports.visible_indicators()
            ]
        )


class FiguresView(APIView):
    """Every figure of an area (the node and everything below it) on a date."""

    @extend_schema(parameters=[CODE, DateParams], responses=FiguresSerializer)
    def get(self, request: Request, code: str) -> Response:
        area = reports.area_by_code(request.user, code)
        date = _params(request, DateParams)["date"]
        values = selectors.indicators_for(actor=request.user, area=area, date=date, parts=True)
        return Response(
            {
                "area": _area_ref(area),
                "date": date.isoformat(),
                "indicators": _visible(values),
                "denominators": denominators(values),
            }
        )


class DashboardView(APIView):
    """What the dashboard page shows: each figure with its monthly trend, and the areas below with
    all their figures, ranked."""

    @extend_schema(parameters=[CODE, DashboardParams], responses=DashboardSerializer)
    def get(self, request: Request, code: str) -> Response:
        area = reports.area_by_code(request.user, code)
        params = _params(request, DashboardParams)
        board = selectors.dashboard(
            actor=request.user, area=area, date=params["date"], rank_by=params.get("rank")
        )
        language = reports.current_language()
        return Response(
            {
                "area": _area_ref(area),
                "date": board.date.isoformat(),
                "ancestors": [_area_ref(a) for a in board.ancestors],
                "rank_by": board.rank_by,
                "figures": [
                    {
                        "id": f.indicator.id,
                        "name": f.indicator.name(language),
                        "kind": f.indicator.kind,
                        "value": f.value,
                        "trend": [{"date": point.isoformat(), "value": value} for point, value in f.trend],
                    }
                    for f in board.figures
                    if not f.indicator.hidden
                ],
                "children": [
                    {"area": _area_ref(row.area), "values": _visible(row.values)} for row in board.children
                ],
            }
        )


class RowsPagination(PageNumberPagination):
    page_size = 50


class RowsView(APIView):
    """The records behind one figure, 50 to a page: ids and labels (for a ratio, its numerator)."""

    pagination_class = RowsPagination

    @extend_schema(
        parameters=[CODE, INDICATOR, DateParams, OpenApiParameter("page", int)],
        responses=inline_serializer(
            name="IndicatorRowsPage",
            fields={
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializers.ListField(child=RowSerializer),
            },
        ),
    )
    def get(self, request: Request, code: str, indicator: str) -> Response:
        area = reports.area_by_code(request.user, code)
        found: Indicator | None = catalogue().get(indicator)
        if found is None or found.rows is None:
            raise Http404
        date = _params(request, DateParams)["date"]
        rows = selectors.indicator_rows(actor=request.user, area=area, indicator_id=indicator, date=date)
        paginator = RowsPagination()
        page = paginator.paginate_queryset(reports.ordered(rows), request, view=self) or []
        results = [
            {"id": info.pk, "model": info.model, "label": info.label, "place": info.place}
            for info in reports.describe_rows(page)
        ]
        return paginator.get_paginated_response(results)
