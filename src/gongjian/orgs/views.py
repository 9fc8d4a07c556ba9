"""Pages of the map: the area tree, resident units, Party organisations, alliances and search.

Reads go through ``selectors`` and writes through ``services``, always with the signed-in user as
the actor. A row outside the actor's scope is a 404 (from the selectors); a write the services
refuse is a 403 (PermissionDenied) or a message on the form (ValidationError).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.stats.indicators import CATALOGUE
from gongjian.stats.selectors import indicators_for
from gongjian.web import holders
from gongjian.web.pages import added, form_page, get_int, paginate, reveal_once, saved, valid_filters

from . import forms, selectors, services
from .models import Alliance, Area, Level, PartyOrg, ResidentUnit
from .pages import area_crumbs, crumbs_to, map_page, within_area

#: Resident units listed on an area's page before linking to the full list.
AREA_UNITS_SHOWN = 50


def _figures(actor: Actor, area: Area) -> list[dict[str, Any]]:
    values = indicators_for(actor=actor, area=area, date=timezone.localdate())
    language = get_language() or settings.LANGUAGE_CODE
    links = {"units.resident": f"{reverse('orgs:unit_list')}?{urlencode({'within': area.pk})}"}
    cards = []
    for key, value in values.items():
        indicator = CATALOGUE.get(key)
        if indicator is None:
            continue
        cards.append(
            {
                "id": key,
                "name": indicator.name(language),
                "value": value,
                "kind": indicator.kind,
                "url": links.get(key),
            }
        )
    return cards


# --- the tree -------------------------------------------------------------------------------


@map_page
def tree(request: HttpRequest) -> HttpResponse:
    roots = list(selectors.area_roots(actor=request.user))
    if len(roots) == 1:
        return redirect("orgs:area_detail", pk=roots[0].pk)
    if not roots:
        # A unit liaison holds no area: their pages start at their unit.
        return redirect("orgs:unit_list")
    return render(request, "orgs/tree.html", {"roots": roots})


@map_page
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = selectors.area_get(actor=actor, pk=pk)
    child_rows = selectors.area_children_summary(actor=actor, area=area)
    units = selectors.unit_list(actor=actor, within=area)
    orgs = selectors.party_org_list(actor=actor, within=area)
    unit_total = selectors.unit_total(actor=actor, area=area)
    context = {
        "area": area,
        "crumbs": [*area_crumbs(actor, area, include_self=False), {"label": area.name, "url": None}],
        "children": child_rows,
        "figures": _figures(actor, area),
        "orgs_here": list(orgs.filter(area=area)),
        "units": list(units[:AREA_UNITS_SHOWN]),
        "unit_total": unit_total,
        "units_url": f"{reverse('orgs:unit_list')}?{urlencode({'within': area.pk})}",
        "orgs_url": f"{reverse('orgs:org_list')}?{urlencode({'within': area.pk})}",
        "alliances": list(selectors.alliance_list(actor=actor, within=area)),
        "can_add_child": area.level < max(Level.values),
        "record_panels": holders.panels_for("area", area, actor),
    }
    return render(request, "orgs/area_detail.html", context)


@map_page
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_get(actor=request.user, pk=pk)
    initial = {f: getattr(area, f) for f in services.AREA_FIELDS}
    form = forms.AreaForm(request.POST or None, actor=request.user, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: services.area_update(actor=request.user, area=area, **form.values()),
        success=saved,
        done_url=lambda saved: reverse("orgs:area_detail", args=[saved.pk]),
        title=_("Edit %(name)s") % {"name": area.name},
        crumbs=area_crumbs(request.user, area),
        cancel_url=reverse("orgs:area_detail", args=[area.pk]),
    )


@map_page
@require_http_methods(["GET", "POST"])
def area_add_child(request: HttpRequest, pk: int) -> HttpResponse:
    parent = selectors.area_get(actor=request.user, pk=pk)
    form = forms.AreaChildForm(request.POST or None, actor=request.user, parent=parent)
    return form_page(
        request,
        form,
        save=lambda: services.area_create(actor=request.user, parent=parent, **form.values()),
        success=added,
        done_url=lambda child: reverse("orgs:area_detail", args=[child.pk]),
        title=_("Add an area under %(name)s") % {"name": parent.name},
        crumbs=area_crumbs(request.user, parent),
        cancel_url=reverse("orgs:area_detail", args=[parent.pk]),
    )


# --- resident units -------------------------------------------------------------------------


@map_page
def unit_list(request: HttpRequest) -> HttpResponse:
    within = within_area(request)
    filters = forms.UnitFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.unit_list(
        actor=request.user,
        within=within,
        q=data.get("q") or "",
        kind=data.get("kind") or "",
        rank=data.get("rank") or "",
    )
    scope = scope_for(request.user)
    return render(
        request,
        "orgs/unit_list.html",
        {
            "filters": filters,
            "within": within,
            "page": paginate(request, rows),
            "can_create": bool(scope.everything or scope.area_paths),
        },
    )


def _unit_detail_context(request: HttpRequest, unit: ResidentUnit) -> dict[str, Any]:
    actor = request.user
    return {
        "unit": unit,
        "crumbs": area_crumbs(actor, unit.area),
        "orgs": list(selectors.party_org_list(actor=actor, unit=unit)),
        "alliances": list(selectors.alliance_list(actor=actor, member_unit=unit)),
        "area_visible": scope_for(actor).covers_path(unit.area.path),
        "record_panels": holders.panels_for("unit", unit, actor),
    }


@map_page
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(actor=request.user, pk=pk)
    context = _unit_detail_context(request, unit)
    context["reveal_form"] = forms.PhoneRevealForm()
    return render(request, "orgs/unit_detail.html", context)


@map_page
@require_POST
@never_cache
def unit_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full contact phone once, on this response only (never stored, logged or redirected)."""
    unit = selectors.unit_get(actor=request.user, pk=pk)
    form = forms.PhoneRevealForm(request.POST)
    revealed = reveal_once(
        form,
        lambda data: services.unit_contact_phone_reveal(actor=request.user, unit=unit, reason=data["reason"]),
    )
    context = _unit_detail_context(request, unit)
    context.update({"reveal_form": form, "revealed_phone": revealed})
    return render(request, "orgs/unit_detail.html", context)


@map_page
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    area_pk = get_int(request, "area")
    area = selectors.area_get(actor=request.user, pk=area_pk) if area_pk else None
    form = forms.UnitForm(request.POST or None, actor=request.user, area=area)
    return form_page(
        request,
        form,
        save=lambda: services.unit_create(actor=request.user, **form.service_kwargs()),
        success=added,
        done_url=lambda unit: reverse("orgs:unit_detail", args=[unit.pk]),
        title=_("New resident unit"),
        crumbs=area_crumbs(request.user, area) if area else [],
        cancel_url=reverse("orgs:area_detail", args=[area.pk]) if area else reverse("orgs:unit_list"),
    )


@map_page
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(actor=request.user, pk=pk)
    # Which fields to offer is a presentation choice; the service decides what it accepts.
    liaison_only = not scope_for(request.user).covers_path(unit.area.path)
    initial = {f: getattr(unit, f) for f in services.UNIT_FIELDS}
    form = forms.UnitForm(
        request.POST or None, actor=request.user, initial=initial, unit=unit, liaison_only=liaison_only
    )
    intro = (
        _("As the unit's liaison you may change its address, position and contact.") if liaison_only else ""
    )
    return form_page(
        request,
        form,
        save=lambda: services.unit_update(actor=request.user, unit=unit, **form.service_kwargs()),
        success=saved,
        done_url=lambda saved: reverse("orgs:unit_detail", args=[saved.pk]),
        title=_("Edit %(name)s") % {"name": unit.name},
        crumbs=crumbs_to(request.user, unit),
        cancel_url=reverse("orgs:unit_detail", args=[unit.pk]),
        extra={"intro": intro},
    )


def _correct_start(
    request: HttpRequest, row: Area | ResidentUnit | PartyOrg | Alliance, detail: str
) -> HttpResponse:
    """The one way to move a start (更正历史): edit forms and imports keep it."""
    form = forms.StartCorrectForm(request.POST or None, initial={"since": row.since})
    return form_page(
        request,
        form,
        save=lambda: services.start_correct(actor=request.user, row=row, **form.cleaned_data),
        success=saved,
        done_url=lambda _row: reverse(detail, args=[row.pk]),
        title=_("Correct the start of %(name)s") % {"name": row.name},
        crumbs=area_crumbs(request.user, row) if isinstance(row, Area) else crumbs_to(request.user, row),
        cancel_url=reverse(detail, args=[row.pk]),
    )


@map_page
@require_http_methods(["GET", "POST"])
def area_correct_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _correct_start(request, selectors.area_get(actor=request.user, pk=pk), "orgs:area_detail")


@map_page
@require_http_methods(["GET", "POST"])
def alliance_correct_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _correct_start(request, _alliance_to_change(request, pk), "orgs:alliance_detail")


@map_page
@require_http_methods(["GET", "POST"])
def unit_correct_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _correct_start(request, selectors.unit_get(actor=request.user, pk=pk), "orgs:unit_detail")


@map_page
@require_http_methods(["GET", "POST"])
def org_correct_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _correct_start(request, selectors.party_org_get(actor=request.user, pk=pk), "orgs:org_detail")


# --- Party organisations --------------------------------------------------------------------


@map_page
def org_list(request: HttpRequest) -> HttpResponse:
    within = within_area(request)
    filters = forms.PartyOrgFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.party_org_list(
        actor=request.user, within=within, q=data.get("q") or "", kind=data.get("kind") or ""
    )
    return render(
        request, "orgs/org_list.html", {"filters": filters, "within": within, "page": paginate(request, rows)}
    )


@map_page
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    org = selectors.party_org_get(actor=actor, pk=pk)
    visible_orgs = selectors.party_org_list(actor=actor)
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "crumbs": area_crumbs(actor, org.area),
            "parent_visible": org.parent_id is not None and visible_orgs.filter(pk=org.parent_id).exists(),
            "children": list(visible_orgs.filter(parent=org)),
            "alliances": list(selectors.alliance_list(actor=actor, convener=org)),
            "area_visible": scope_for(actor).covers_path(org.area.path),
            "unit_visible": org.unit_id is not None
            and selectors.unit_list(actor=actor).filter(pk=org.unit_id).exists(),
            "record_panels": holders.panels_for("org", org, actor),
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def org_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    area_pk, unit_pk = get_int(request, "area"), get_int(request, "unit")
    area = selectors.area_get(actor=actor, pk=area_pk) if area_pk else None
    unit = selectors.unit_get(actor=actor, pk=unit_pk) if unit_pk else None
    form = forms.PartyOrgForm(request.POST or None, actor=actor, area=area, unit=unit)
    where = unit.area if unit else area
    if unit:
        cancel = reverse("orgs:unit_detail", args=[unit.pk])
    elif area:
        cancel = reverse("orgs:area_detail", args=[area.pk])
    else:
        cancel = reverse("orgs:org_list")
    return form_page(
        request,
        form,
        save=lambda: services.party_org_create(actor=actor, **form.service_kwargs()),
        success=added,
        done_url=lambda org: reverse("orgs:org_detail", args=[org.pk]),
        title=_("New Party organisation"),
        crumbs=area_crumbs(actor, where) if where else [],
        cancel_url=cancel,
    )


@map_page
@require_http_methods(["GET", "POST"])
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.party_org_get(actor=request.user, pk=pk)
    initial = {f: getattr(org, f) for f in services.ORG_FIELDS}
    form = forms.PartyOrgForm(request.POST or None, actor=request.user, initial=initial, org=org)
    return form_page(
        request,
        form,
        save=lambda: services.party_org_update(actor=request.user, org=org, **form.service_kwargs()),
        success=saved,
        done_url=lambda saved: reverse("orgs:org_detail", args=[saved.pk]),
        title=_("Edit %(name)s") % {"name": org.name},
        crumbs=crumbs_to(request.user, org),
        cancel_url=reverse("orgs:org_detail", args=[org.pk]),
    )


# --- alliances ------------------------------------------------------------------------------


@map_page
def alliance_list(request: HttpRequest) -> HttpResponse:
    within = within_area(request)
    filters = forms.SearchForm(request.GET or None)
    q = valid_filters(filters).get("q") or ""
    rows = selectors.alliance_list(actor=request.user, within=within, q=q)
    scope = scope_for(request.user)
    return render(
        request,
        "orgs/alliance_list.html",
        {
            "filters": filters,
            "within": within,
            "page": paginate(request, rows),
            "can_create": bool(scope.everything or scope.area_paths),
        },
    )


def _alliance_context(request: HttpRequest, alliance: Alliance) -> dict[str, Any]:
    actor = request.user
    members = selectors.alliance_member_list(actor=actor, alliance=alliance)
    past = selectors.alliance_member_list(actor=actor, alliance=alliance, current=False).filter(
        until__isnull=False
    )
    visible_units = set(
        selectors.unit_list(actor=actor)
        .filter(pk__in=[m.unit_id for m in [*members, *past]])
        .values_list("pk", flat=True)
    )
    return {
        "alliance": alliance,
        "crumbs": area_crumbs(actor, alliance.area),
        "members": members,
        "past_members": past,
        "visible_units": visible_units,
        "can_manage": services.alliance_change_allowed(actor=actor, alliance=alliance),
        "convener_visible": selectors.party_org_list(actor=actor).filter(pk=alliance.convener_id).exists(),
        "end_form": forms.MembershipEndForm(initial={"until": timezone.localdate()}),
    }


def _alliance_to_change(request: HttpRequest, pk: int) -> Alliance:
    """The alliance ``pk``, which the actor may change (403 if they may only see it)."""
    alliance = selectors.alliance_get(actor=request.user, pk=pk)
    if not services.alliance_change_allowed(actor=request.user, alliance=alliance):
        raise PermissionDenied(_("You may not change %(alliance)s.") % {"alliance": alliance.name})
    return alliance


@map_page
def alliance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = selectors.alliance_get(actor=request.user, pk=pk)
    return render(request, "orgs/alliance_detail.html", _alliance_context(request, alliance))


@map_page
@require_http_methods(["GET", "POST"])
def alliance_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    convener_pk = get_int(request, "convener")
    convener = selectors.party_org_get(actor=actor, pk=convener_pk) if convener_pk else None
    form = forms.AllianceForm(request.POST or None, actor=actor, convener=convener)
    return form_page(
        request,
        form,
        save=lambda: services.alliance_create(actor=actor, **form.service_kwargs()),
        success=added,
        done_url=lambda alliance: reverse("orgs:alliance_detail", args=[alliance.pk]),
        title=_("New alliance"),
        crumbs=area_crumbs(actor, convener.area) if convener else [],
        cancel_url=reverse("orgs:alliance_list"),
    )


@map_page
@require_http_methods(["GET", "POST"])
def alliance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _alliance_to_change(request, pk)
    initial = {f: getattr(alliance, f) for f in services.ALLIANCE_FIELDS}
    form = forms.AllianceForm(request.POST or None, actor=request.user, initial=initial, alliance=alliance)
    return form_page(
        request,
        form,
        save=lambda: services.alliance_update(actor=request.user, alliance=alliance, **form.service_kwargs()),
        success=saved,
        done_url=lambda saved: reverse("orgs:alliance_detail", args=[saved.pk]),
        title=_("Edit %(name)s") % {"name": alliance.name},
        crumbs=crumbs_to(request.user, alliance),
        cancel_url=reverse("orgs:alliance_detail", args=[alliance.pk]),
    )


@map_page
@require_http_methods(["GET", "POST"])
def alliance_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    alliance = _alliance_to_change(request, pk)
    q = request.GET.get("q", "").strip()[:100]
    form = forms.AllianceMemberForm(request.POST or None, actor=actor, q=q)
    alliance_url = reverse("orgs:alliance_detail", args=[alliance.pk])
    return form_page(
        request,
        form,
        save=lambda: services.alliance_member_add(actor=actor, alliance=alliance, **form.service_kwargs()),
        success=lambda member: _("%(unit)s joined the alliance.") % {"unit": member.unit.name},
        done_url=lambda member: alliance_url,
        title=_("Add a member unit to %(name)s") % {"name": alliance.name},
        crumbs=crumbs_to(actor, alliance, alliance_url),
        cancel_url=alliance_url,
        template="orgs/alliance_member_form.html",
        extra={"q": q, "alliance": alliance},
    )


@map_page
@require_http_methods(["GET", "POST"])
def alliance_member_end(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    actor = request.user
    alliance = _alliance_to_change(request, pk)
    member = selectors.alliance_member_get(actor=actor, pk=member_pk)
    if member.alliance_id != alliance.pk:
        raise Http404
    form = forms.MembershipEndForm(request.POST or None, initial={"until": timezone.localdate()})
    alliance_url = reverse("orgs:alliance_detail", args=[alliance.pk])
    return form_page(
        request,
        form,
        save=lambda: services.alliance_member_end(
            actor=actor, member=member, until=form.cleaned_data["until"]
        ),
        success=lambda ended: _("The membership of %(unit)s has ended.") % {"unit": member.unit.name},
        done_url=lambda ended: alliance_url,
        title=_("End the membership of %(unit)s") % {"unit": member.unit.name},
        crumbs=crumbs_to(actor, alliance, alliance_url),
        cancel_url=alliance_url,
        template="orgs/alliance_member_end.html",
        extra={"alliance": alliance, "member": member},
    )


# --- search ---------------------------------------------------------------------------------

SEARCH_SHOWN = 50


@map_page
def search(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = forms.SearchForm(request.GET or None)
    q = (form.cleaned_data.get("q") or "").strip() if form.is_valid() else ""
    groups: list[dict[str, Any]] = []
    if q:
        found: list[tuple[str, str, QuerySet[Any], str | None]] = [
            ("areas", _("Areas"), selectors.area_list(actor=actor, q=q), None),
            (
                "orgs",
                _("Party organisations"),
                selectors.party_org_list(actor=actor, q=q),
                f"{reverse('orgs:org_list')}?{urlencode({'q': q})}",
            ),
            (
                "units",
                _("Resident units"),
                selectors.unit_list(actor=actor, q=q),
                f"{reverse('orgs:unit_list')}?{urlencode({'q': q})}",
            ),
            (
                "alliances",
                _("Alliances"),
                selectors.alliance_list(actor=actor, q=q),
                f"{reverse('orgs:alliance_list')}?{urlencode({'q': q})}",
            ),
        ]
        for key, label, rows, more_url in found:
            total = rows.count()
            groups.append(
                {
                    "key": key,
                    "label": label,
                    "rows": list(rows[:SEARCH_SHOWN]),
                    "total": total,
                    "more_url": more_url if total > SEARCH_SHOWN else None,
                }
            )
    return render(
        request,
        "orgs/search.html",
        {"form": form, "q": q, "groups": groups, "found": sum(g["total"] for g in groups)},
    )
