"""Pages of the map (placeholder until the pages land)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    return HttpResponse("map")


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("units")


@login_required
def alliance_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("alliances")
