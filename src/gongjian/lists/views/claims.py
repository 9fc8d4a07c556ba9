"""Pages of demands, resources and claims.

Reads go through ``selectors`` and writes through ``services`` with the signed-in user as the
actor: a row outside the actor's scope is a 404 (from the selectors), a step the actor may not take
is a 403 (the services' ``*_allowed`` answers), a write the services refuse is a message on the
form. Buttons are shown from the same ``*_allowed`` answers. A micro-wish's requester is never on
a page: only the wish and the first name.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongjian.orgs.models import Area
from gongjian.web.crumbs import Crumb, crumb, trail
from gongjian.web.pages import (
    button,
    form_page,
    paginate,
    url_or_none,
    valid_filters,
    within,
    xlsx_response,
)

from ..forms import claims as forms
from ..models import Claim, ClaimStatus, Demand, DemandKind, Resource
from ..selectors import claims as selectors
from ..services import claims as services


def _within(request: HttpRequest) -> Area | None:
    """The ``within=<area id>`` filter, read with the lists' own selector (404 outside the scope)."""
    return within(request, lambda pk: selectors.within_get(actor=request.user, pk=pk))


def _home_crumb() -> Crumb:
    return crumb(_("Three lists"), reverse("lists:home"))


def _demand_crumbs(demand: Demand | None = None, last: str | None = None) -> list[Crumb]:
    here = (demand.name, reverse("lists:demand_detail", args=[demand.pk])) if demand else None
    return trail([_home_crumb(), crumb(_("Demand list"), reverse("lists:demand_list"))], here, last)


def _resource_crumbs(resource: Resource | None = None, last: str | None = None) -> list[Crumb]:
    here = (resource.name, reverse("lists:resource_detail", args=[resource.pk])) if resource else None
    return trail([_home_crumb(), crumb(_("Resource list"), reverse("lists:resource_list"))], here, last)


def _claim_crumbs(claim: Claim | None = None, last: str | None = None) -> list[Crumb]:
    here = (str(claim.pk), reverse("lists:claim_detail", args=[claim.pk])) if claim else None
    return trail([_home_crumb(), crumb(_("Claims"), reverse("lists:claim_list"))], here, last)


# --- home --------------------------------------------------------------------------------------


@login_required
def lists_home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    demands = selectors.demand_list(actor=actor)
    resources = selectors.resource_list(actor=actor)
    claims = selectors.claim_list(actor=actor)
    to_decide = [
        c
        for c in claims.filter(status=ClaimStatus.PENDING)[:50]
        if services.claim_accept_allowed(actor=actor, claim=c)
    ]
    to_review = [
        d
        for d in demands.filter(status="raised")[:50]
        if services.demand_review_allowed(actor=actor, demand=d)
    ]
    homes = selectors.actor_communities(actor, "resident") + selectors.actor_communities(actor, "member")
    return render(
        request,
        "lists/home.html",
        {
            "demands_open": demands.filter(status__in=["published", "claimed", "in_progress"]).count(),
            "demands_total": demands.count(),
            "resources_open": resources.filter(status="published").count(),
            "resources_total": resources.count(),
            "claims_total": claims.count(),
            "to_decide": to_decide[:10],
            "to_review": to_review[:10],
            "mine": claims.filter(selectors.claims_made_q(actor))[:10],
            "can_raise": services.demand_raise_allowed(actor=actor),
            "is_resident": bool(selectors.actor_communities(actor, "resident")),
            "can_offer": services.resource_create_allowed(actor=actor),
            "project_list_url": url_or_none("lists:project_list"),
            "boards": [(a, url_or_none("lists:board", a.pk)) for a in homes],
            "crumbs": [],
        },
    )


# --- demands -----------------------------------------------------------------------------------


def _demand_rows(request: HttpRequest) -> tuple[Any, forms.DemandFilterForm, Area | None]:
    within = _within(request)
    filters = forms.DemandFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.demand_list(
        actor=request.user,
        within=within,
        q=data.get("q") or "",
        status=data.get("status") or "",
        category=data.get("category") or "",
        urgency=data.get("urgency") or "",
        kind=data.get("kind") or "",
    )
    return rows, filters, within


@login_required
@require_GET
def demand_list(request: HttpRequest) -> HttpResponse:
    rows, filters, within = _demand_rows(request)
    return render(
        request,
        "lists/demand_list.html",
        {
            "filters": filters,
            "within": within,
            "page": paginate(request, rows),
            "query": request.GET.urlencode(),
            "crumbs": [_home_crumb(), {"label": _("Demand list"), "url": None}],
            "can_create": services.demand_raise_allowed(actor=request.user),
        },
    )


@login_required
@require_GET
def demand_export(request: HttpRequest) -> HttpResponse:
    rows, _filters, _within_area = _demand_rows(request)
    return xlsx_response(selectors.demand_export(actor=request.user, rows=rows), "需求清单.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def demand_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not services.demand_raise_allowed(actor=actor):
        raise PermissionDenied(_("You may not raise demands."))
    if not (
        selectors.owner_org_choices(actor=actor).exists()
        or selectors.actor_units_choices(actor=actor).exists()
    ):
        return redirect("lists:resident_raise")
    form = forms.DemandForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.demand_raise(actor=actor, **form.service_kwargs()),
        success=lambda d: _("%(name)s was raised; the list's administrators review it.") % {"name": d.name},
        done_url=lambda d: reverse("lists:demand_detail", args=[d.pk]),
        title=_("Raise a demand"),
        crumbs=_demand_crumbs(last=_("Raise a demand")),
        cancel_url=reverse("lists:demand_list"),
        template="lists/demand_form.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_raise(request: HttpRequest) -> HttpResponse:
    """A resident tells their community what it needs (phone-first)."""
    actor = request.user
    homes = selectors.actor_communities(actor, "resident")
    if not homes:
        raise PermissionDenied(_("Only residents raise demands here."))
    form = forms.ResidentDemandForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.demand_raise(actor=actor, **form.cleaned_data),
        success=lambda d: _("Thank you. Your community reviews it and publishes it on its demand list."),
        done_url=lambda d: reverse("lists:demand_detail", args=[d.pk]),
        title=_("What does your community need?"),
        crumbs=[_home_crumb(), {"label": homes[0].name, "url": None}],
        cancel_url=reverse("lists:home"),
        template="lists/demand_resident.html",
        extra={"community": homes[0]},
    )


@login_required
@require_GET
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    demand = selectors.demand_get(actor=actor, pk=pk)
    claims = list(selectors.claim_list(actor=actor, demand=demand))
    return render(
        request,
        "lists/demand_detail.html",
        {
            "demand": demand,
            "is_wish": demand.kind == DemandKind.MICRO_WISH,
            "claims": [
                (
                    c,
                    selectors.claimant_label(c),
                    services.claim_accept_allowed(actor=actor, claim=c),
                    services.claim_withdraw_allowed(actor=actor, claim=c),
                )
                for c in claims
            ],
            "crumbs": _demand_crumbs(demand),
            "can_edit": services.demand_update_allowed(actor=actor, demand=demand),
            "can_review": services.demand_review_allowed(actor=actor, demand=demand),
            "can_withdraw": services.demand_withdraw_allowed(actor=actor, demand=demand),
            "can_claim": services.demand_claim_allowed(actor=actor, demand=demand),
            "can_assign": services.demand_assign_allowed(actor=actor, demand=demand),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    demand = selectors.demand_get(actor=actor, pk=pk)
    if not services.demand_update_allowed(actor=actor, demand=demand):
        raise PermissionDenied(_("You may not change this demand."))
    form = forms.DemandEditForm(request.POST or None, demand=demand)
    return form_page(
        request,
        form,
        save=lambda: services.demand_update(actor=actor, demand=demand, **form.changes()),
        success=lambda d: _("Saved."),
        done_url=lambda d: reverse("lists:demand_detail", args=[d.pk]),
        title=_("Change the demand"),
        crumbs=_demand_crumbs(demand, _("Change")),
        cancel_url=reverse("lists:demand_detail", args=[demand.pk]),
        template="lists/demand_form.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_review(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    demand = selectors.demand_get(actor=actor, pk=pk)
    if not services.demand_review_allowed(actor=actor, demand=demand):
        raise PermissionDenied(_("Only the list's administrators review it."))
    form = forms.ReviewForm(request.POST or None)

    def save() -> Demand:
        data = form.cleaned_data
        if data["decision"] == "publish":
            return services.demand_publish(actor=actor, demand=demand)
        return services.demand_reject(actor=actor, demand=demand, reason=data.get("reason") or "")

    return form_page(
        request,
        form,
        save=save,
        success=lambda d: _("The demand is now “%(status)s”.") % {"status": d.get_status_display()},
        done_url=lambda d: reverse("lists:demand_detail", args=[d.pk]),
        title=_("Review: %(name)s") % {"name": demand.name},
        crumbs=_demand_crumbs(demand, _("Review")),
        cancel_url=reverse("lists:demand_detail", args=[demand.pk]),
        template="lists/demand_form.html",
        extra={"demand": demand},
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    demand = selectors.demand_get(actor=actor, pk=pk)
    if not services.demand_withdraw_allowed(actor=actor, demand=demand):
        raise PermissionDenied(_("You may not withdraw this demand."))
    form = forms.ReasonForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.demand_withdraw(actor=actor, demand=demand, reason=form.cleaned_data["reason"]),
        success=lambda d: _("The demand was withdrawn."),
        done_url=lambda d: reverse("lists:demand_detail", args=[d.pk]),
        title=_("Withdraw: %(name)s") % {"name": demand.name},
        crumbs=_demand_crumbs(demand, _("Withdraw")),
        cancel_url=reverse("lists:demand_detail", args=[demand.pk]),
        template="lists/demand_form.html",
        extra={"demand": demand},
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_claim(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    demand = selectors.demand_get(actor=actor, pk=pk)
    if not services.demand_claim_allowed(actor=actor, demand=demand):
        raise PermissionDenied(_("You may not claim this demand."))
    form = forms.DemandClaimForm(request.POST or None, actor=actor, demand=demand)
    return form_page(
        request,
        form,
        save=lambda: services.demand_claim(actor=actor, demand=demand, **form.service_kwargs()),
        success=lambda c: _("Your claim was sent; the list's administrators accept or decline it."),
        done_url=lambda c: reverse("lists:claim_detail", args=[c.pk]),
        title=_("Claim: %(name)s") % {"name": demand.name},
        crumbs=_demand_crumbs(demand, _("Claim")),
        cancel_url=reverse("lists:demand_detail", args=[demand.pk]),
        template="lists/claim_form.html",
        extra={"demand": demand},
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    demand = selectors.demand_get(actor=actor, pk=pk)
    if not services.demand_assign_allowed(actor=actor, demand=demand):
        raise PermissionDenied(_("Only the staff of a held joint meeting assign a demand."))
    form = forms.DemandAssignForm(request.POST or None, actor=actor, demand=demand)
    return form_page(
        request,
        form,
        save=lambda: services.demand_assign(actor=actor, demand=demand, **form.cleaned_data),
        success=lambda c: _("Assigned; the project was opened."),
        done_url=lambda c: reverse("lists:claim_detail", args=[c.pk]),
        title=_("Assign (交办): %(name)s") % {"name": demand.name},
        crumbs=_demand_crumbs(demand, _("Assign")),
        cancel_url=reverse("lists:demand_detail", args=[demand.pk]),
        template="lists/claim_form.html",
        extra={"demand": demand},
    )


# --- resources ---------------------------------------------------------------------------------


def _resource_rows(request: HttpRequest) -> tuple[Any, forms.ResourceFilterForm, Area | None]:
    within = _within(request)
    filters = forms.ResourceFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.resource_list(
        actor=request.user,
        within=within,
        q=data.get("q") or "",
        status=data.get("status") or "",
        category=data.get("category") or "",
        kind=data.get("kind") or "",
    )
    return rows, filters, within


@login_required
@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    rows, filters, within = _resource_rows(request)
    page = paginate(request, rows)
    return render(
        request,
        "lists/resource_list.html",
        {
            "filters": filters,
            "within": within,
            "page": page,
            "rows": [(r, selectors.provider_label(r)) for r in page.object_list],
            "query": request.GET.urlencode(),
            "crumbs": [_home_crumb(), {"label": _("Resource list"), "url": None}],
            "can_create": services.resource_create_allowed(actor=request.user),
        },
    )


@login_required
@require_GET
def resource_export(request: HttpRequest) -> HttpResponse:
    rows, _filters, _within_area = _resource_rows(request)
    return xlsx_response(selectors.resource_export(actor=request.user, rows=rows), "资源清单.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not services.resource_create_allowed(actor=actor):
        raise PermissionDenied(_("You may not offer resources."))
    form = forms.ResourceForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.resource_create(actor=actor, **form.service_kwargs()),
        success=lambda r: _("%(name)s was saved as a draft; publish it when it is ready.") % {"name": r.name},
        done_url=lambda r: reverse("lists:resource_detail", args=[r.pk]),
        title=_("Offer a resource"),
        crumbs=_resource_crumbs(last=_("Offer a resource")),
        cancel_url=reverse("lists:resource_list"),
        template="lists/resource_form.html",
    )


@login_required
@require_GET
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    resource = selectors.resource_get(actor=actor, pk=pk)
    claims = list(selectors.claim_list(actor=actor, resource=resource))
    return render(
        request,
        "lists/resource_detail.html",
        {
            "resource": resource,
            "provider": selectors.provider_label(resource),
            "served": list(resource.service_areas.order_by("path")),
            "claims": [
                (
                    c,
                    selectors.claimant_label(c),
                    services.claim_accept_allowed(actor=actor, claim=c),
                    services.claim_withdraw_allowed(actor=actor, claim=c),
                )
                for c in claims
            ],
            "crumbs": _resource_crumbs(resource),
            "can_publish": services.resource_publish_allowed(actor=actor, resource=resource),
            "can_withdraw": services.resource_withdraw_allowed(actor=actor, resource=resource),
            "can_claim": services.resource_claim_allowed(actor=actor, resource=resource),
        },
    )


@login_required
@require_POST
def resource_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    resource = selectors.resource_get(actor=actor, pk=pk)
    if not services.resource_publish_allowed(actor=actor, resource=resource):
        raise PermissionDenied(_("Only the provider publishes it."))
    return button(
        request,
        lambda: services.resource_publish(actor=actor, resource=resource),
        _("The resource is published."),
        reverse("lists:resource_detail", args=[resource.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    resource = selectors.resource_get(actor=actor, pk=pk)
    if not services.resource_withdraw_allowed(actor=actor, resource=resource):
        raise PermissionDenied(_("Only the provider withdraws it."))
    form = forms.ReasonForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.resource_withdraw(
            actor=actor, resource=resource, reason=form.cleaned_data["reason"]
        ),
        success=lambda r: _("The resource was withdrawn."),
        done_url=lambda r: reverse("lists:resource_detail", args=[r.pk]),
        title=_("Withdraw: %(name)s") % {"name": resource.name},
        crumbs=_resource_crumbs(resource, _("Withdraw")),
        cancel_url=reverse("lists:resource_detail", args=[resource.pk]),
        template="lists/resource_form.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_claim(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    resource = selectors.resource_get(actor=actor, pk=pk)
    if not services.resource_claim_allowed(actor=actor, resource=resource):
        raise PermissionDenied(_("You may not claim this resource."))
    form = forms.ResourceClaimForm(request.POST or None, actor=actor, resource=resource)
    return form_page(
        request,
        form,
        save=lambda: services.resource_claim(actor=actor, resource=resource, **form.service_kwargs()),
        success=lambda c: _("Your claim was sent; the provider accepts or declines it."),
        done_url=lambda c: reverse("lists:claim_detail", args=[c.pk]),
        title=_("Claim: %(name)s") % {"name": resource.name},
        crumbs=_resource_crumbs(resource, _("Claim")),
        cancel_url=reverse("lists:resource_detail", args=[resource.pk]),
        template="lists/claim_form.html",
        extra={"resource": resource},
    )


# --- claims ------------------------------------------------------------------------------------


def _claim_page(request: HttpRequest, *, side: str, title: str) -> HttpResponse:
    filters = forms.ClaimFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.claim_list(actor=request.user, status=data.get("status") or "", side=side)
    page = paginate(request, rows)
    return render(
        request,
        "lists/claim_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": [(c, selectors.claimant_label(c)) for c in page.object_list],
            "title": title,
            "side": side,
            "crumbs": [_home_crumb(), {"label": title, "url": None}],
        },
    )


@login_required
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    """Every claim the actor may see: made by their side and on what they own."""
    return _claim_page(request, side="", title=_("Claims"))


@login_required
@require_GET
def my_claims(request: HttpRequest) -> HttpResponse:
    """The claims the actor's units (or organisations, or they themself) made."""
    return _claim_page(request, side="made", title=_("My claims"))


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    claim = selectors.claim_get(actor=actor, pk=pk)
    target = claim.demand or claim.resource
    project = getattr(claim, "project", None)
    return render(
        request,
        "lists/claim_detail.html",
        {
            "claim": claim,
            "claimant": selectors.claimant_label(claim),
            "target": target,
            "target_visible": selectors.claim_target_visible(actor=actor, claim=claim),
            "project_url": url_or_none("lists:project_detail", project.pk) if project is not None else None,
            "crumbs": _claim_crumbs(claim),
            "can_accept": services.claim_accept_allowed(actor=actor, claim=claim),
            "can_decline": services.claim_decline_allowed(actor=actor, claim=claim),
            "can_withdraw": services.claim_withdraw_allowed(actor=actor, claim=claim),
        },
    )


@login_required
@require_POST
def claim_accept(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    claim = selectors.claim_get(actor=actor, pk=pk)
    if not services.claim_accept_allowed(actor=actor, claim=claim):
        raise PermissionDenied(_("Only the owner accepts a claim."))
    return button(
        request,
        lambda: services.claim_accept(actor=actor, claim=claim),
        _("The claim was accepted and its project opened."),
        reverse("lists:claim_detail", args=[claim.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_decline(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    claim = selectors.claim_get(actor=actor, pk=pk)
    if not services.claim_decline_allowed(actor=actor, claim=claim):
        raise PermissionDenied(_("Only the owner declines a claim."))
    form = forms.ReasonForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.claim_decline(actor=actor, claim=claim, reason=form.cleaned_data["reason"]),
        success=lambda c: _("The claim was declined."),
        done_url=lambda c: reverse("lists:claim_detail", args=[c.pk]),
        title=_("Decline the claim"),
        crumbs=_claim_crumbs(claim, _("Decline")),
        cancel_url=reverse("lists:claim_detail", args=[claim.pk]),
        template="lists/claim_form.html",
    )


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    claim = selectors.claim_get(actor=actor, pk=pk)
    if not services.claim_withdraw_allowed(actor=actor, claim=claim):
        raise PermissionDenied(_("Only the claimant withdraws a claim."))
    return button(
        request,
        lambda: services.claim_withdraw(actor=actor, claim=claim),
        _("The claim was withdrawn."),
        reverse("lists:claim_detail", args=[claim.pk]),
    )


urlpatterns: list[URLPattern] = [
    path("demands/", demand_list, name="demand_list"),
    path("demands/export/", demand_export, name="demand_export"),
    path("demands/new/", demand_create, name="demand_create"),
    path("raise/", resident_raise, name="resident_raise"),
    path("demands/<int:pk>/", demand_detail, name="demand_detail"),
    path("demands/<int:pk>/edit/", demand_edit, name="demand_edit"),
    path("demands/<int:pk>/review/", demand_review, name="demand_review"),
    path("demands/<int:pk>/withdraw/", demand_withdraw, name="demand_withdraw"),
    path("demands/<int:pk>/claim/", demand_claim, name="demand_claim"),
    path("demands/<int:pk>/assign/", demand_assign, name="demand_assign"),
    path("resources/", resource_list, name="resource_list"),
    path("resources/export/", resource_export, name="resource_export"),
    path("resources/new/", resource_create, name="resource_create"),
    path("resources/<int:pk>/", resource_detail, name="resource_detail"),
    path("resources/<int:pk>/publish/", resource_publish, name="resource_publish"),
    path("resources/<int:pk>/withdraw/", resource_withdraw, name="resource_withdraw"),
    path("resources/<int:pk>/claim/", resource_claim, name="resource_claim"),
    path("claims/", claim_list, name="claim_list"),
    path("claims/mine/", my_claims, name="my_claims"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/accept/", claim_accept, name="claim_accept"),
    path("claims/<int:pk>/decline/", claim_decline, name="claim_decline"),
    path("claims/<int:pk>/withdraw/", claim_withdraw, name="claim_withdraw"),
]
