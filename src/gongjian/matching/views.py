"""Pages of matching: a joint meeting's claiming session, a liaison's page of all their unit's
recommendations, the confirmed claim and the "not a match" posted from the recommendations on a
demand's or a resource's page (the recommendations themselves are drawn by the
``matching_tags`` inclusion tags inside the lists' pages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongjian.cobuild.models import JointMeeting
from gongjian.web.pages import service_messages

from . import selectors, services
from .models import MatchingSession


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """A recommended pair (``pk`` the demand; ``resource`` and ``side`` given): GET shows what the
    claim commits to, with the quantity, to confirm or cancel; POST makes the claim."""
    actor = request.user
    data = request.POST if request.method == "POST" else request.GET
    demand = selectors.demand_for_claim(actor=actor, pk=pk)
    side = data.get("side", "")
    back = _back(request, data.get("next"), demand.pk)
    if request.method == "GET" and not data.get("resource"):
        return redirect(back)  # the confirmation is of a recommended pair: none named, the demand
    resource = selectors.resource_for_claim(actor=actor, pk=data.get("resource"))
    if request.method == "GET":
        if side not in services.recommendation_claim_sides(actor=actor, demand=demand, resource=resource):
            messages.info(request, _("This claim is made already, or there is nothing left to claim."))
            return redirect(back)
        return render(
            request,
            "matching/claim_confirm.html",
            {
                "demand": demand,
                "resource": resource,
                "side": side,
                "quantity": services.recommendation_claim_quantity(demand=demand, resource=resource),
                "next": back,
            },
        )
    try:
        claim = services.recommendation_claim(actor=actor, demand=demand, resource=resource, side=side)
    except ValidationError as exc:
        service_messages(request, exc)
    else:
        messages.success(
            request,
            _("Claimed %(quantity)d; the owner accepts or declines it.") % {"quantity": claim.quantity},
        )
    return redirect(back)


@login_required
@require_POST
def recommendation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Not a match" on a recommended pair (``pk`` the demand; ``resource`` and ``side`` posted)."""
    actor = request.user
    demand = selectors.demand_for_claim(actor=actor, pk=pk)
    back = _back(request, request.POST.get("next"), demand.pk)
    resource = selectors.resource_for_claim(actor=actor, pk=request.POST.get("resource"))
    try:
        services.recommendation_decline(
            actor=actor, demand=demand, resource=resource, side=request.POST.get("side", "")
        )
    except ValidationError as exc:
        service_messages(request, exc)
    else:
        messages.success(request, _("Noted: this pair will not be recommended again."))
    return redirect(back)


def _back(request: HttpRequest, given: str | None, demand_pk: int) -> str:
    back = given or reverse("lists:demand_detail", args=[demand_pk])
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("lists:demand_detail", args=[demand_pk])
    return back


@login_required
@require_GET
def unit_recommendations(request: HttpRequest) -> HttpResponse:
    """All of the liaison's units' recommendations: each resource with the demands it could meet."""
    groups = selectors.unit_recommendations(actor=request.user)
    rows = [
        (
            group.resource,
            [
                (
                    s,
                    services.recommendation_claim_sides(
                        actor=request.user, demand=s.demand, resource=s.resource
                    ),
                )
                for s in group.suggestions
            ],
        )
        for group in groups
    ]
    return render(request, "matching/recommendations.html", {"groups": rows, "next": request.get_full_path()})


@login_required
@require_GET
def session(request: HttpRequest, pk: int) -> HttpResponse:
    """The claiming session of a meeting: the proposal with reasons, the convener's decisions."""
    actor = request.user
    meeting = selectors.session_meeting_get(actor=actor, pk=pk)
    if not services.session_allowed(actor=actor, meeting=meeting):
        raise PermissionDenied(_("Only the convener's staff run the claiming session."))
    current = selectors.session_current(actor=actor, meeting=meeting)
    view = selectors.session_view(actor=actor, session=current) if current is not None else None
    can_decide = current is not None and services.session_decide_allowed(actor=actor, session=current)
    choices = selectors.swap_choices(actor=actor, session=current) if can_decide and current else ([], [])
    return render(
        request,
        "matching/session.html",
        {
            "meeting": meeting,
            "current": current,
            "view": view,
            "busy": current is not None and current.job is not None and not current.job.finished,
            "can_start": current is None or current.status != "open",
            "can_decide": can_decide,
            "can_commit": current is not None
            and services.session_commit_allowed(actor=actor, session=current),
            "meeting_records": meeting.status in ("held", "closed"),
            "swap_demands": choices[0],
            "swap_resources": choices[1],
        },
    )


def _session_post(request: HttpRequest, pk: int) -> tuple[JointMeeting, MatchingSession | None]:
    actor = request.user
    meeting = selectors.session_meeting_get(actor=actor, pk=pk)
    if not services.session_allowed(actor=actor, meeting=meeting):
        raise PermissionDenied(_("Only the convener's staff run the claiming session."))
    return meeting, selectors.session_current(actor=actor, meeting=meeting)


@login_required
@require_POST
def session_start(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting, current = _session_post(request, pk)
    try:
        if current is not None and current.status == "open":
            current = services.session_repropose(actor=actor, session=current)
        else:
            current = services.session_start(actor=actor, meeting=meeting)
    except ValidationError as exc:
        service_messages(request, exc)
    return redirect("matching:session", pk=pk)


@login_required
@require_POST
def session_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, drop, swap or take back (``action`` posted)."""
    actor = request.user
    _meeting, current = _session_post(request, pk)
    if current is None:
        messages.error(request, _("Propose first."))
        return redirect("matching:session", pk=pk)
    post = request.POST
    action = post.get("action", "")
    try:
        if action in ("accept", "swap"):
            services.pair_accept(
                actor=actor,
                session=current,
                demand_id=post.get("demand"),
                resource_id=post.get("resource"),
                quantity=post.get("quantity") or None,
                swap=action == "swap",
            )
            messages.success(request, _("The pair is accepted; the rest was proposed again around it."))
        elif action == "drop":
            services.pair_drop(
                actor=actor,
                session=current,
                demand_id=post.get("demand"),
                resource_id=post.get("resource"),
            )
            messages.success(request, _("The pair is dropped; the rest was proposed again without it."))
        elif action == "release":
            services.pair_release(actor=actor, session=current, pair_id=post.get("pair"))
            messages.success(request, _("The decision is taken back."))
        else:
            messages.error(request, _("Choose one of the offered values."))
    except ValidationError as exc:
        service_messages(request, exc)
    return redirect("matching:session", pk=pk)


@login_required
@require_POST
def session_commit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    _meeting, current = _session_post(request, pk)
    if current is None:
        messages.error(request, _("Propose first."))
        return redirect("matching:session", pk=pk)
    try:
        claims = services.session_commit(actor=actor, session=current)
    except ValidationError as exc:
        service_messages(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d claim was recorded against the meeting and its project opened.",
                "%(count)d claims were recorded against the meeting and their projects opened.",
                len(claims),
            )
            % {"count": len(claims)},
        )
    return redirect("matching:session", pk=pk)
