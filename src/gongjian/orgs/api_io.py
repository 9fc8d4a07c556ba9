"""API for Excel in and out of the map (stubs until the import lands)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class MapImportView(APIView):
    def post(self, request: Request) -> Response:
        return Response(status=501)


class MapExportView(APIView):
    def get(self, request: Request) -> Response:
        return Response(status=501)


class MapTemplateView(APIView):
    def get(self, request: Request) -> Response:
        return Response(status=501)
