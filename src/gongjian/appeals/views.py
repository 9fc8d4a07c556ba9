"""Pages of residents' appeals (接诉即办): the list with filters and counts, an appeal with its
timeline and the steps the actor may take now, registration by staff, and a resident's own
appeals, raising one online and rating it (phone first).

Reads go through ``selectors`` (an appeal outside the actor's scope is a 404), writes through
``services`` (a refusal is a 403, bad input a message on the form); ``services.appeal_actions``
decides which forms a page offers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.web.crumbs import Crumb, crumbs
from gongjian.web.pages import add_service_errors, file_response, form_page, paginate, reveal_once

from . import deadlines, forms, reports, selectors, services
from .models import Appeal

#: The form of each step, by the action names of ``services.appeal_actions``.
ACTION_FORMS: dict[str, Callable[..., django_forms.Form]] = {
    "assign": lambda data, actor, appeal: forms.AssignForm(data, actor=actor, prefix="assign"),
    "reassign": lambda data, actor, appeal: forms.ReassignForm(data, actor=actor, prefix="reassign"),
    "answer": lambda data, actor, appeal: forms.AnswerForm(data, prefix="answer"),
    "solve": lambda data, actor, appeal: forms.SolveForm(data, prefix="solve"),
    "close": lambda data, actor, appeal: forms.CloseForm(data, prefix="close"),
    "call_back": lambda data, actor, appeal: forms.CallBackForm(data, prefix="call_back"),
    "hand_off": lambda data, actor, appeal: forms.HandOffForm(data, appeal=appeal, prefix="hand_off"),
    "accept_handoff": lambda data, actor, appeal: forms.AcceptHandoffForm(data, prefix="accept_handoff"),
    "return_handoff": lambda data, actor, appeal: forms.ReturnHandoffForm(data, prefix="return_handoff"),
    "rate": lambda data, actor, appeal: forms.RateForm(data, prefix="rate"),
    "reopen": lambda data, actor, appeal: forms.ReopenForm(data, prefix="reopen"),
    "reveal": lambda data, actor, appeal: forms.RevealForm(data, prefix="reveal"),
}


def _crumbs(*rest: tuple[str, str | None]) -> list[Crumb]:
    """The appeals' home, then ``rest``."""
    return crumbs((_("Appeals"), reverse("appeals:home")), *rest)


def limits() -> list[dict[str, Any]]:
    """The time limits, for the pages' help."""
    from .models import AppealKind

    out = []
    for kind in AppealKind:
        number, unit = deadlines.limit_label(kind.value)
        out.append({"kind": kind.label, "number": number, "unit": unit})
    return out


# --- lists ------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Appeals the actor sees, with filters and counts (open, overdue)."""
    actor = request.user
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.appeal_list(
        actor=actor,
        status=data.get("status", ""),
        kind=data.get("kind", ""),
        channel=data.get("channel", ""),
        not_called_back=bool(data.get("not_called_back")),
        handed_to_me=bool(data.get("handoff")),
        overdue=True if data.get("overdue") else None,
        open_only=bool(data.get("open")),
        registered_from=data.get("date_from"),
        registered_to=data.get("date_to"),
        q=data.get("q", ""),
    )
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "appeals/list.html",
        {
            "crumbs": [{"label": _("Appeals"), "url": None}],
            "form": form,
            "page": paginate(request, rows),
            "counts": selectors.appeal_counts(actor=actor),
            "filtered": rows.count(),
            "query": urlencode(query),
            "now": timezone.now(),
            "can_register": services.appeal_register_staff_allowed(actor=actor),
            "can_rank": selectors.ranking_allowed(actor=actor),
            "can_raise": bool(selectors.home_paths(actor)),
            "limits": limits(),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A resident's own appeals (raised online), newest first."""
    actor = request.user
    rows = selectors.appeal_list(actor=actor, mine=True)
    return render(
        request,
        "appeals/mine.html",
        {
            "crumbs": _crumbs((_("My appeals"), None)),
            "page": paginate(request, rows),
            "now": timezone.now(),
            "can_raise": bool(selectors.home_paths(actor)),
        },
    )


# --- registering ------------------------------------------------------------------------------


def _register_page(
    request: HttpRequest,
    form: django_forms.Form,
    save: Callable[[dict[str, Any]], Appeal],
    *,
    title: str,
    crumbs: list[Crumb],
    cancel_url: str,
    intro: str = "",
) -> HttpResponse:
    """The page that registers an appeal: ``save`` gets the cleaned data; then the appeal's page."""

    def registered(appeal: Appeal) -> str:
        due = timezone.localtime(appeal.due_at).strftime("%Y-%m-%d %H:%M")
        return _("Appeal %(number)s was registered; it is due by %(due)s.") % {
            "number": appeal.number,
            "due": due,
        }

    return form_page(
        request,
        form,
        save=lambda: save(dict(form.cleaned_data)),
        success=registered,
        done_url=lambda appeal: reverse("appeals:detail", args=[appeal.pk]),
        title=title,
        crumbs=crumbs,
        cancel_url=cancel_url,
        extra={"intro": intro},
    )


def _limits_intro() -> str:
    return _(
        "Time limits: emergencies 2 hours; water, power, gas and heating 24 hours; general 7 days; "
        "complex 15 days."
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Staff register an appeal on a resident's behalf (hotline, walk-in, grid worker …)."""
    actor = request.user
    if not services.appeal_register_staff_allowed(actor=actor):
        raise PermissionDenied(_("Only staff with a place on the map register appeals for residents."))
    return _register_page(
        request,
        forms.RegisterForm(request.POST or None, actor=actor),
        lambda d: services.appeal_register(actor=actor, **d),
        title=_("Register an appeal"),
        crumbs=_crumbs((_("Register"), None)),
        cancel_url=reverse("appeals:home"),
        intro=_limits_intro(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def raise_appeal(request: HttpRequest) -> HttpResponse:
    """A resident (or member) raises an appeal online for their own community."""
    actor = request.user
    if not selectors.home_paths(actor):
        raise PermissionDenied(_("Appeals are raised online by the residents of a community."))
    initial = {"resident_name": getattr(actor, "display_name", "") or ""}
    form = forms.RaiseForm(request.POST or None, actor=actor, initial=initial)
    return _register_page(
        request,
        form,
        lambda d: services.appeal_register(actor=actor, **d),
        title=_("Raise an appeal"),
        crumbs=_crumbs((_("My appeals"), reverse("appeals:mine")), (_("Raise an appeal"), None)),
        cancel_url=reverse("appeals:mine"),
        intro=_limits_intro(),
    )


# --- one appeal -------------------------------------------------------------------------------


def _step_title(name: str) -> str:
    """The heading of a next step's form on the appeal's page."""
    if name == "reopen":
        return _("Not solved? Reopen it (within %(days)s days of closure)") % {"days": services.reopen_days()}
    return {
        "assign": _("Assign"),
        "reassign": _("Reassign"),
        "answer": _("Answer the resident"),
        "solve": _("Report the outcome"),
        "close": _("Close the appeal"),
        "call_back": _("Call the resident back"),
        "hand_off": _("Hand off to another organisation"),
        "accept_handoff": _("Accept the hand-off"),
        "return_handoff": _("Return the hand-off"),
        "rate": _("Rate how it was handled"),
    }.get(name) or _("Show the full phone number (recorded)")


def _detail(
    request: HttpRequest,
    appeal: Appeal,
    bound: dict[str, django_forms.Form] | None = None,
    clear_phone: str = "",
) -> HttpResponse:
    actor = request.user
    actions = services.appeal_actions(actor=actor, appeal=appeal)
    # each next step: its name, its form (the bound one again after an error), where it posts, its title
    steps = [
        (
            name,
            (bound or {}).get(name) or ACTION_FORMS[name](None, actor, appeal),
            reverse(f"appeals:{name}", args=[appeal.pk]),
            _step_title(name),
        )
        for name in actions
    ]
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "crumbs": _crumbs((appeal.number, None)),
            "events": selectors.appeal_events(actor=actor, appeal=appeal),
            "staff_view": selectors.appeal_staff_view(actor=actor, appeal=appeal),
            "steps": steps,
            "now": timezone.now(),
            "overdue": appeal.overdue_on(timezone.now()),
            "clear_phone": clear_phone,
            "handoff": selectors.appeal_pending_handoff(appeal=appeal),
            "callback_by_other": services.appeal_manage_allowed(actor=actor, appeal=appeal)
            and not services.appeal_call_back_allowed(actor=actor, appeal=appeal),
        },
        status=400 if bound else 200,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.appeal_get(actor=request.user, pk=pk))


def _step(
    name: str, call: Callable[[Any, Appeal, dict[str, Any]], Any], success: str, *, then_home: bool = False
) -> Callable[..., HttpResponse]:
    """A step of the appeal (POST): the form's data to the service; success goes back to the
    appeal with a message, a refusal shows the appeal again with the form and the reason."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        actor = request.user
        appeal = selectors.appeal_get(actor=actor, pk=pk)
        form = ACTION_FORMS[name](request.POST, actor, appeal)
        if form.is_valid():
            try:
                call(actor, appeal, dict(form.cleaned_data))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, success)
                if then_home:  # the appeal may be out of the actor's sight now
                    return redirect("appeals:home")
                return redirect("appeals:detail", pk=appeal.pk)
        appeal = selectors.appeal_get(actor=actor, pk=pk)
        if name not in services.appeal_actions(actor=actor, appeal=appeal):
            # the step is no longer open (someone else took it meanwhile): say why, show the appeal
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, str(message))
            return redirect("appeals:detail", pk=appeal.pk)
        return _detail(request, appeal, {name: form})

    view.__name__ = name
    return view


assign = _step(
    "assign",
    lambda actor, a, d: services.appeal_assign(actor=actor, appeal=a, **d),
    _("The appeal was assigned."),
)
reassign = _step(
    "reassign",
    lambda actor, a, d: services.appeal_reassign(actor=actor, appeal=a, **d),
    _("The appeal was reassigned."),
)
answer = _step(
    "answer",
    lambda actor, a, d: services.appeal_answer(actor=actor, appeal=a, **d),
    _("The answer was recorded."),
)
solve = _step(
    "solve",
    lambda actor, a, d: services.appeal_solve(actor=actor, appeal=a, **d),
    _("The outcome was recorded."),
)
close = _step(
    "close",
    lambda actor, a, d: services.appeal_close(actor=actor, appeal=a, **d),
    _("The appeal was closed."),
)
hand_off = _step(
    "hand_off",
    lambda actor, a, d: services.appeal_hand_off(actor=actor, appeal=a, **d),
    _("The hand-off was sent; the appeal stays with you until it is accepted."),
)
accept_handoff = _step(
    "accept_handoff",
    lambda actor, a, d: services.appeal_accept_handoff(actor=actor, appeal=a, **d),
    _("The hand-off was accepted: the appeal is now yours."),
)
return_handoff = _step(
    "return_handoff",
    lambda actor, a, d: services.appeal_return_handoff(actor=actor, appeal=a, **d),
    _("The hand-off was returned."),
    then_home=True,
)
call_back = _step(
    "call_back",
    lambda actor, a, d: services.appeal_call_back(actor=actor, appeal=a, **d),
    _("The call-back was recorded."),
)
rate = _step(
    "rate",
    lambda actor, a, d: services.appeal_rate(actor=actor, appeal=a, **d),
    _("Thank you: your rating was recorded."),
)

reopen = _step(
    "reopen",
    lambda actor, a, d: services.appeal_reopen(actor=actor, appeal=a, **d),
    _("The appeal was reopened; its handler has been told."),
)


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident's clear phone number, once, with a reason (audited)."""
    actor = request.user
    appeal = selectors.appeal_get(actor=actor, pk=pk)
    form = forms.RevealForm(request.POST, prefix="reveal")
    clear = reveal_once(
        form, lambda data: services.appeal_reveal_phone(actor=actor, appeal=appeal, reason=data["reason"])
    )
    if clear:
        return _detail(request, appeal, clear_phone=clear)
    return _detail(request, appeal, {"reveal": form})


# --- the monthly ranking ----------------------------------------------------------------------


def _ranking(request: HttpRequest) -> tuple[forms.RankingForm, selectors.Ranking]:
    """The ranking asked for (level, month, period); the current month of streets by default."""
    actor = request.user
    if not selectors.ranking_allowed(actor=actor):
        raise PermissionDenied(_("The rankings are read by staff with a place on the map."))
    form = forms.RankingForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    table = selectors.appeal_ranking(
        actor=actor,
        level=data.get("level") or "street",
        month=data.get("month") or timezone.localdate(),
        year_to_date=data.get("period") == "ytd",
    )
    return form, table


def _ranking_filename(table: selectors.Ranking, ext: str) -> str:
    return f"appeals-ranking-{table.level}-{table.first.isoformat()}-{table.last.isoformat()}.{ext}"


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    """The ranking table of one level for a month (or the year to its end), with xlsx and PDF."""
    form, table = _ranking(request)
    query = {"level": table.level, "month": table.last.strftime("%Y-%m")}
    period = "ytd" if table.first.month != table.last.month else "month"
    query["period"] = period
    return render(
        request,
        "appeals/ranking.html",
        {
            "crumbs": _crumbs((_("Ranking"), None)),
            "form": form,
            "title": reports.title(table),
            "rule": reports.rule(table),
            "headers": reports.headers(),
            "lines": reports.lines(table),
            "level": table.level,
            "month": table.last,
            "period": period,
            "query": urlencode(query),
            "can_rank": True,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def ranking_xlsx(request: HttpRequest) -> HttpResponse:
    _form, table = _ranking(request)
    return file_response(
        reports.workbook(table), content_type=XLSX_CONTENT_TYPE, filename=_ranking_filename(table, "xlsx")
    )


@login_required
@require_GET
def ranking_pdf(request: HttpRequest) -> HttpResponse:
    _form, table = _ranking(request)
    return file_response(
        reports.pdf(table),
        content_type="application/pdf",
        filename=_ranking_filename(table, "pdf"),
        inline=True,
    )


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("mine/", mine, name="mine"),
    path("raise/", raise_appeal, name="raise"),
    path("register/", register, name="register"),
    path("ranking/", ranking, name="ranking"),
    path("ranking.xlsx", ranking_xlsx, name="ranking_xlsx"),
    path("ranking.pdf", ranking_pdf, name="ranking_pdf"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/assign/", assign, name="assign"),
    path("<int:pk>/reassign/", reassign, name="reassign"),
    path("<int:pk>/answer/", answer, name="answer"),
    path("<int:pk>/solve/", solve, name="solve"),
    path("<int:pk>/close/", close, name="close"),
    path("<int:pk>/call-back/", call_back, name="call_back"),
    path("<int:pk>/hand-off/", hand_off, name="hand_off"),
    path("<int:pk>/accept-hand-off/", accept_handoff, name="accept_handoff"),
    path("<int:pk>/return-hand-off/", return_handoff, name="return_handoff"),
    path("<int:pk>/rate/", rate, name="rate"),
    path("<int:pk>/reopen/", reopen, name="reopen"),
    path("<int:pk>/reveal/", reveal, name="reveal"),
]
