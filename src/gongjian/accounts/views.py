"""Login, logout and the API-token page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import selectors, services


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.token_revoke(actor=request.user)
        else:
            new_key = services.token_rotate(actor=request.user).key
    has_token = selectors.token_exists(actor=request.user)
    return render(
        request,
        "accounts/tokens.html",
        {"new_key": new_key, "has_token": has_token, "roles": selectors.role_list(actor=request.user)},
    )
