"""Login, logout, the API-token page and the audit log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gongjian.core.auditread import action_label
from gongjian.core.excel import XLSX_CONTENT_TYPE

from . import selectors, services
from .forms import AuditFilterForm, TokenForm, add_errors

#: Entries on one page of the audit log.
AUDIT_PAGE = 50

#: The cookie that keeps a visitor's care mode (a signed-in person's is kept on their account).
CARE_COOKIE = "gj_care"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The person's named API tokens: make one (its key shown on this response only), see when each
    was last used, revoke one."""
    new_key = None
    form = TokenForm(
        initial={"expires_on": timezone.localdate() + dt.timedelta(days=settings.GONGJIAN_TOKEN_DAYS)}
    )
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            pk = request.POST.get("token", "")
            token = selectors.token_get(actor=request.user, pk=int(pk) if pk.isdigit() else 0)
            services.token_revoke(actor=request.user, token=token)
            messages.success(request, _("The token %(name)s no longer works.") % {"name": token.name})
            return redirect("accounts:tokens")
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                made = services.token_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                new_key = made.key
                form = TokenForm(initial=form.initial)
    response = render(
        request,
        "accounts/tokens.html",
        {
            "new_key": new_key,
            "form": form,
            "tokens": selectors.token_list(actor=request.user),
            "now": timezone.now(),
            "roles": selectors.role_list(actor=request.user),
        },
    )
    return response


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


def account_context(request: HttpRequest) -> dict[str, bool]:
    """``audit_link`` for the menu: whether the person may open the audit log."""
    return {"audit_link": request.user.is_authenticated and selectors.audit_readable(actor=request.user)}


@never_cache
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log the person may read (their area's entries; the platform's administrators all),
    newest first, with filters; 50 a page, with a link to the next page while there is one."""
    if not selectors.audit_readable(actor=request.user):
        raise PermissionDenied(_("Only administrators may read the audit log."))
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    entries = selectors.audit_entry_list(
        actor=request.user, filters=form.filters() if request.GET and valid else None
    )
    page_raw = request.GET.get("page", "1")
    number = int(page_raw) if page_raw.isdigit() and int(page_raw) > 0 else 1
    rows = list(entries[(number - 1) * AUDIT_PAGE : number * AUDIT_PAGE + 1]) if valid else []
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "form": form,
            "entries": [(entry, action_label(entry.action)) for entry in rows[:AUDIT_PAGE]],
            "number": number,
            "has_next": len(rows) > AUDIT_PAGE,
            "query": query.urlencode(),
        },
    )


@never_cache
@login_required
@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as a workbook or CSV file (the query string carries the filters); the
    export is itself written to the log."""
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(f"{reverse('accounts:audit_log')}?{request.GET.urlencode()}")
    if not request.GET:
        form = AuditFilterForm({})
        form.is_valid()
    fmt = request.POST.get("format", "xlsx")
    try:
        data = services.audit_export(actor=request.user, filters=form.filters(), fmt=fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('accounts:audit_log')}?{request.GET.urlencode()}")
    name = f"audit-{timezone.localdate():%Y%m%d}.{fmt}"
    content_type = XLSX_CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    response["Cache-Control"] = "no-store"
    return response


def _next(request: HttpRequest) -> str:
    back = request.POST.get("next") or request.GET.get("next") or "/"
    return back if url_has_allowed_host_and_scheme(back, {request.get_host()}) else "/"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up the second factor: scan the code with an authenticator app, enter the code it shows;
    the recovery codes are shown once."""
    import segno
    from django_otp import login as otp_login

    device = services.otp_device_pending(actor=request.user)
    error = ""
    if request.method == "POST":
        try:
            made = services.otp_confirm(actor=request.user, code=request.POST.get("code", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            otp_login(request, made.device)
            return render(
                request, "accounts/otp_done.html", {"codes": made.recovery_codes, "next": _next(request)}
            )
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "qr": qr,
            "secret": device.config_url.split("secret=")[1].split("&")[0],
            "error": error,
            "next": _next(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Give the second factor (a code from the app, or a recovery code) once per sign-in."""
    from django_otp import login as otp_login
    from django_otp import match_token

    error = ""
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("code", "").strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        error = _("That code is not right; enter the 6 digits the app shows now, or a recovery code.")
    return render(request, "accounts/otp_verify.html", {"error": error, "next": _next(request)})
