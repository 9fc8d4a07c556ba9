"""Login, logout and the API-token page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import selectors, services

#: The cookie that keeps a visitor's care mode (a signed-in person's is kept on their account).
CARE_COOKIE = "gj_care"


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


def care_mode_on(request: HttpRequest) -> bool:
    """Whether the care mode (关怀版) is on for this person (their account) or visitor (a cookie)."""
    user = request.user
    if user.is_authenticated:
        return bool(getattr(user, "care_mode", False))
    return request.COOKIES.get(CARE_COOKIE) == "1"


@require_http_methods(["POST"])
def care_mode(request: HttpRequest) -> HttpResponse:
    """Switch the care mode on or off (``on=1`` / ``on=0``) and go back to the page it was asked from."""
    on = request.POST.get("on") == "1"
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = "/"
    response = redirect(back)
    if request.user.is_authenticated:
        services.user_set_care_mode(actor=request.user, on=on)
    elif on:
        response.set_cookie(CARE_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(CARE_COOKIE, samesite="Lax")
    return response


def care_context(request: HttpRequest) -> dict[str, bool]:
    """``care_mode`` for every page (the class on ``<body>``, the switch in the menu)."""
    return {"care_mode": care_mode_on(request)}
