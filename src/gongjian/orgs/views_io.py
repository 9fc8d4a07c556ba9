"""Excel in and out of the map (stubs)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def import_start(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("import_start")


@login_required
def import_template(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("import_template")


@login_required
def export_subtree(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("export_subtree")
