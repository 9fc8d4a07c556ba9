"""Pages of the member ledgers (stub until the pages land)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def ledger_home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ledgers")
