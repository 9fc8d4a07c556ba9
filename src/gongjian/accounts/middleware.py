"""Sessions end after inactivity (``GONGJIAN_IDLE_MINUTES``, 30 by default)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
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
                messages.info(request, _("You were signed out after a while without activity. Sign in again."))
                login = reverse("accounts:login")
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            if not isinstance(last, int | float) or now - last > WRITE_EVERY:
                request.session[LAST_SEEN] = int(now)
        return self.get_response(request)
