"""Sessions end after inactivity (``GONGJIAN_IDLE_MINUTES``, 30 by default)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

#: The session key holding the time of the person's last request (seconds since the epoch).
LAST_SEEN = "gj_last_seen"
#: The last-seen time is written at most this often (not on every request).
WRITE_EVERY = 60


class IdleTimeoutMiddleware:
    """A signed-in page session idle longer than ``GONGJIAN_IDLE_MINUTES`` is signed out; the next
    page asks for the password again and comes back. API calls with a token carry no session and
    are not affected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            limit = int(getattr(settings, "GONGJIAN_IDLE_MINUTES", 30)) * 60
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int | float) and limit > 0 and now - last > limit:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(
                    request, _("You were signed out after a while without activity. Sign in again.")
                )
                login = reverse("accounts:login")
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            if not isinstance(last, int | float) or now - last > WRITE_EVERY:
                request.session[LAST_SEEN] = int(now)
        return self.get_response(request)


#: Pages reachable before the second factor (signing in and out, setting it up, the language).
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/2fa/", "/static/", "/i18n/")


class SecondFactorMiddleware:
    """After ``OTPMiddleware``: a signed-in person with a second factor who has not given it in this
    session is sent to give it; one who must have one (``second_factor_required``) and has none is
    sent to set it up. Under ``/api/`` a signed-in session without it gets a JSON 403 (a call with a
    token is authenticated later, by the view, and is not affected: tokens need the code when made)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from . import selectors

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            verified = getattr(user, "is_verified", lambda: False)()
            if not verified:
                has = selectors.second_factor_exists(actor=user)
                if has or selectors.second_factor_required(actor=user):
                    if request.path.startswith("/api/"):
                        return JsonResponse(
                            {"detail": _("Give your second factor first (sign in again on the site).")},
                            status=403,
                        )
                    name = "accounts:otp_verify" if has else "accounts:otp_setup"
                    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
