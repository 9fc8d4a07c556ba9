"""Pages of the map (stubs until the pages land)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def tree(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("tree")


@login_required
def search(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("search")


@login_required
def area_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("area_detail")


@login_required
def area_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("area_edit")


@login_required
def area_add_child(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("area_add_child")


@login_required
def unit_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("unit_list")


@login_required
def unit_create(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("unit_create")


@login_required
def unit_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("unit_detail")


@login_required
def unit_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("unit_edit")


@login_required
def unit_reveal_phone(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("unit_reveal_phone")


@login_required
def org_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("org_list")


@login_required
def org_create(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("org_create")


@login_required
def org_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("org_detail")


@login_required
def org_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("org_edit")


@login_required
def alliance_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("alliance_list")


@login_required
def alliance_create(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("alliance_create")


@login_required
def alliance_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("alliance_detail")


@login_required
def alliance_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("alliance_edit")


@login_required
def alliance_member_add(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("alliance_member_add")


@login_required
def alliance_member_end(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("alliance_member_end")
