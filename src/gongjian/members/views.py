"""Pages of the member ledgers (党员台账): ledgers at a node, members, dual reporting, mobile
members and stations, transfers and household plaques.

As on the map's pages, reads go through ``selectors`` and writes through ``services`` with the
signed-in user as the actor: a row outside the actor's scope is a 404 (from the selectors), a write
the services refuse is a 403 (PermissionDenied) or a message on the form (ValidationError).
A clear ID or phone number appears only in the response to a reveal form, which is never cached
and never carried into a message, a redirect or a log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.models import Area
from gongjian.orgs.pages import area_crumbs, map_page, within_area
from gongjian.web import holders
from gongjian.web.crumbs import Crumb, trail
from gongjian.web.pages import (
    add_service_errors,
    added,
    button,
    file_response,
    form_page,
    get_int,
    holds_scope,
    page_form_post,
    paginate,
    paginate_known,
    part_page,
    reveal_once,
    saved,
    service_messages,
    step_page,
    valid_filters,
)

from . import forms, selectors, services
from .models import Category, Member, MemberReport, ReportStatus, Station, Transfer, TransferStatus

#: The tabs of a ledger page: the four ledgers, the two flags, co-management and reports. A tab
#: named like an indicator counts by the indicator's definition; the registrations (pending ones
#: included) are "报到登记", never "已报到", which would read as the figure 报到在职党员 (confirmed).
TAB_LABELS: dict[str, Any] = {
    Category.DIRECT: gettext_lazy("Directly managed"),
    Category.IN_SERVICE: gettext_lazy("In-service"),
    Category.MOBILE: gettext_lazy("Mobile"),
    Category.RETIRED: gettext_lazy("Retired"),
    Category.HARDSHIP: gettext_lazy("Hardship"),
    Category.LOST_CONTACT: gettext_lazy("Lost contact"),
    "co_managed": gettext_lazy("Co-managed"),
    "reports": gettext_lazy("Report registrations"),
}
FLAGS = (Category.HARDSHIP, Category.LOST_CONTACT)
#: Reminders listed by name on the mobile members' page (the count says how many there are).
REMINDERS_SHOWN = 20


#: Signed in, and either holding a role that reaches the ledgers or linked to a member record
#: (a member opens their own page; the selectors decide what they see).
ledger_page = part_page(
    gettext_lazy("Your roles do not include the member ledgers."),
    lambda user: holds_scope(user) or selectors.member_self(actor=user) is not None,
)


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render with the module's tabs: shown to roles that reach the lists (a member on their own page
    sees none), pointing at the page's area, else the actor's first root."""
    context["ledger_nav"] = not scope_for(request.user).empty
    if context.get("nav_area") is None:
        context["nav_area"] = context.get("area") or org_selectors.area_roots(actor=request.user).first()
    return render(request, template, context)


def _crumbs(actor: Actor, area: Area, tail: list[Crumb] | None = None) -> list[Crumb]:
    """The way down to ``area`` by ledgers, linked where the actor may open them, then ``tail``."""
    crumbs = area_crumbs(actor, area, url_name="members:ledger")
    if tail is None:
        crumbs[-1]["url"] = None
        return crumbs
    return [*crumbs, *tail]


def _member_crumbs(actor: Actor, member: Member, last: str | None = None) -> list[Crumb]:
    tail = trail([], (member.name, reverse("members:member_detail", args=[member.pk])), last)
    where = member.org.area
    if not org_selectors.area_list(actor=actor).filter(pk=where.pk).exists():
        return tail
    return _crumbs(actor, where, tail)


def _next_or(request: HttpRequest, default: str) -> str:
    """The ``next`` field of a POST when it points back into this site, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _end_page(
    request: HttpRequest,
    *,
    end: Callable[[dict[str, Any]], Any],
    label: Any,
    success: str,
    back_url: str,
    title: str,
    crumbs: list[dict[str, Any]],
    intro: str | None = None,
    form_class: type[forms.EndForm] = forms.EndForm,
) -> HttpResponse:
    """The page that ends a dated row on a date (and, with ``WithdrawForm``, a reason): ``end``
    gets the cleaned form data and calls the service; then back to ``back_url``."""
    form = form_class(request.POST or None, label=label)
    return step_page(
        request,
        form,
        save=lambda: end(form.cleaned_data),
        success=success,
        url=back_url,
        title=title,
        crumbs=crumbs,
        extra={"intro": intro} if intro else None,
    )


# --- home and ledgers -----------------------------------------------------------------------


@ledger_page
def ledger_home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    roots = list(org_selectors.area_roots(actor=actor))
    if len(roots) == 1:
        return redirect("members:ledger", pk=roots[0].pk)
    if roots:
        return _render(request, "members/home.html", {"roots": roots})
    if not scope_for(actor).empty:
        # A unit liaison holds no area: their ledger is their unit's members.
        return redirect("members:member_list")
    own = selectors.member_self(actor=actor)
    assert own is not None  # ledger_page let them in
    return redirect("members:member_detail", pk=own.pk)


@map_page
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    filters = forms.LedgerFilterForm(request.GET or None)
    data = valid_filters(filters)
    on: dt.date = data.get("on") or timezone.localdate()
    q, status, standing = data.get("q") or "", data.get("status") or "", data.get("standing") or ""
    tab = request.GET.get("tab", "")
    if tab not in TAB_LABELS:
        tab = Category.DIRECT
    totals = selectors.ledger_totals(actor=actor, area=area, on=on)
    rows: Any
    if tab in Category.values:
        rows = selectors.ledger_member_list(
            actor=actor, within=area, category=tab, on=on, q=q, status=status, standing=standing
        )
    elif tab == "co_managed":
        rows = selectors.ledger_co_management_list(actor=actor, within=area, on=on, q=q)
    else:
        rows = selectors.ledger_report_list(actor=actor, within=area, q=q)
    # the tab's total when nothing narrows it, else a bounded count: the page never counts the scope
    total = totals[tab] if not (q or status or standing) else selectors.bounded_total(rows)
    tabs = [
        {
            "key": key,
            "label": label,
            "count": totals[key].value,
            "more": totals[key].more,
            "indicator": totals[key].indicator,
            "flag": key in FLAGS,
        }
        for key, label in TAB_LABELS.items()
    ]
    return _render(
        request,
        "members/ledger.html",
        {
            "area": area,
            "crumbs": _crumbs(actor, area),
            "tabs": tabs,
            "tab": tab,
            "tab_label": TAB_LABELS[tab],
            "filters": filters,
            "on": on,
            "is_today": on == timezone.localdate(),
            "page": paginate_known(
                request, rows, None if total.more else total.value, keyset=tab in Category.values
            ),
            "total": total,
            "children": list(org_selectors.area_children(actor=actor, area=area)),
        },
    )


@map_page
def member_list(request: HttpRequest) -> HttpResponse:
    """Every member the actor may see (a unit liaison: their unit's members), searchable."""
    actor = request.user
    filters = forms.MemberFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.ledger_member_list(
        actor=actor,
        q=data.get("q") or "",
        status=data.get("status") or "",
        standing=data.get("standing") or "",
    )
    scope = scope_for(actor)
    own_units = org_selectors.unit_list(actor=actor).filter(pk__in=sorted(scope.unit_ids))
    if not any(data.get(name) for name in ("q", "status", "standing")) and (
        selectors.member_scope_at_least(actor) > selectors.COUNT_CAP
    ):
        total = selectors.Total(selectors.COUNT_CAP, more=True)  # the kept figures say so: no count
    else:
        total = selectors.bounded_total(rows)
    page = paginate_known(request, rows, None if total.more else total.value, keyset=True)
    return _render(
        request,
        "members/member_list.html",
        {"filters": filters, "page": page, "total": total, "own_units": list(own_units)},
    )


# --- members --------------------------------------------------------------------------------


def _member_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    actor = request.user
    return {
        "member": member,
        "crumbs": _member_crumbs(actor, member),
        "dossier": selectors.member_dossier(actor=actor, member=member),
        "can_change": services.member_change_allowed(actor=actor, member=member),
        "is_self": member.user_id is not None and member.user_id == actor.pk,
        "away_now": selectors.mobile_list(actor=actor).filter(member=member).exists(),
        "reveal_form": forms.RevealForm(),
        "org_visible": org_selectors.party_org_list(actor=actor, current=False)
        .filter(pk=member.org_id)
        .exists(),
        "record_panels": holders.panels_for("member", member, actor),
    }


@ledger_page
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(actor=request.user, pk=pk)
    return _render(request, "members/member_detail.html", _member_context(request, member))


@ledger_page
@never_cache
@require_http_methods(["GET", "POST"])
def member_seen_by(request: HttpRequest, pk: int) -> HttpResponse:
    """Who saw this member's personal data (reveals and look-ups); POST ``format`` exports it."""
    member = selectors.member_get(actor=request.user, pk=pk)
    entries = selectors.member_seen_by(actor=request.user, member=member)
    if request.method == "POST":
        fmt = request.POST.get("format", "xlsx")
        try:
            data = services.member_seen_by_export(actor=request.user, member=member, fmt=fmt)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("members:member_seen_by", pk=member.pk)
        content_type = XLSX_CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
        return file_response(data, content_type=content_type, filename=f"seen-by-{member.pk}.{fmt}")
    context = _member_context(request, member)
    context["page"] = paginate(request, entries)
    return _render(request, "members/member_seen_by.html", context)


@ledger_page
@require_POST
@never_cache
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one full number once, on this response only (never stored, logged or redirected)."""
    member = selectors.member_get(actor=request.user, pk=pk)
    form = forms.RevealForm(request.POST)
    revealed = None
    value = reveal_once(
        form,
        lambda data: services.member_reveal(
            actor=request.user, member=member, field=data["field"], reason=data["reason"]
        ),
    )
    if value is not None:
        revealed = {"field": form.cleaned_data["field"], "value": value}
        form = forms.RevealForm()
    context = _member_context(request, member)
    context.update({"reveal_form": form, "revealed": revealed})
    return _render(request, "members/member_detail.html", context)


@map_page
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org_pk, area_pk = get_int(request, "org"), get_int(request, "area")
    org = org_selectors.party_org_get(actor=actor, pk=org_pk) if org_pk else None
    area = org_selectors.area_get(actor=actor, pk=area_pk) if area_pk else None
    form = forms.MemberForm(request.POST or None, actor=actor, org=org, area=area)
    where = area or (org.area if org else None)
    return form_page(
        request,
        form,
        save=lambda: services.member_create(actor=actor, **form.service_kwargs()),
        success=added,
        done_url=lambda member: reverse("members:member_detail", args=[member.pk]),
        title=_("New Party member"),
        crumbs=_crumbs(actor, where, []) if where else [],
        cancel_url=reverse("members:ledger", args=[where.pk]) if where else reverse("members:home"),
    )


@map_page
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, pk=pk)
    initial = {f: getattr(member, f) for f in services.MEMBER_FIELDS}
    form = forms.MemberForm(request.POST or None, actor=actor, member=member, initial=initial)
    url = reverse("members:member_detail", args=[member.pk])
    return form_page(
        request,
        form,
        save=lambda: services.member_update(actor=actor, member=member, **form.service_kwargs()),
        success=saved,
        done_url=lambda saved: url,
        title=_("Edit %(name)s") % {"name": member.name},
        crumbs=_member_crumbs(actor, member, _("Edit")),
        cancel_url=url,
        extra={
            "intro": _(
                "The ID number, the date of joining and the organisation holding the membership do not change here; a membership moves by a transfer."
            )
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def member_link_user(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the member record to the account the member signs in with (or remove the link): for an
    administrator who may change the member."""
    actor = request.user
    member = selectors.member_get(actor=actor, pk=pk)
    if not services.member_change_allowed(actor=actor, member=member):
        raise PermissionDenied(_("You may not change %(name)s.") % {"name": member.name})
    current = member.user.get_username() if member.user_id and member.user else ""
    form = forms.LinkUserForm(request.POST or None, initial={"username": current})

    def save() -> Member:
        username = form.cleaned_data["username"].strip()
        user = selectors.link_user_find(actor=actor, username=username) if username else None
        if username and user is None:
            raise ValidationError({"username": _("No active account has this user name.")})
        return services.member_link_user(actor=actor, member=member, user=user)

    url = reverse("members:member_detail", args=[member.pk])
    title = _("Account of %(name)s") % {"name": member.name}
    return form_page(
        request,
        form,
        save=save,
        success=lambda linked: (
            _("%(name)s is linked to the account %(user)s.")
            % {"name": member.name, "user": linked.user.get_username()}
            if linked.user_id and linked.user
            else _("%(name)s is linked to no account.") % {"name": member.name}
        ),
        done_url=lambda linked: url,
        title=title,
        crumbs=_member_crumbs(actor, member, title),
        cancel_url=url,
        extra={
            "intro": _(
                "With a linked account the member sees their own record, registers with the community where they live and checks themself in at stations while away."
            )
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def category_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, pk=pk)
    form = forms.CategoryAddForm(request.POST or None, actor=actor)
    url = reverse("members:member_detail", args=[member.pk])
    title = _("Add %(name)s to a ledger") % {"name": member.name}
    return form_page(
        request,
        form,
        save=lambda: services.category_add(actor=actor, member=member, **form.values()),
        success=lambda entry: (
            _("%(name)s is now in the ledger: %(ledger)s.")
            % {"name": member.name, "ledger": entry.get_category_display()}
        ),
        done_url=lambda entry: url,
        title=title,
        crumbs=_member_crumbs(actor, member, title),
        cancel_url=url,
    )


@map_page
@require_http_methods(["GET", "POST"])
def category_end(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, pk=pk)
    entry = selectors.category_history(actor=actor, member=member).filter(pk=entry_pk).first()
    if entry is None:
        raise Http404
    title = _("End %(ledger)s for %(name)s") % {"ledger": entry.get_category_display(), "name": member.name}
    return _end_page(
        request,
        end=lambda data: services.category_end(actor=actor, entry=entry, until=data["until"]),
        label=_("Leaves the ledger on"),
        success=saved(entry),
        back_url=reverse("members:member_detail", args=[member.pk]),
        title=title,
        crumbs=_member_crumbs(actor, member, title),
        intro=_("The entry stays in the member's history."),
    )


# --- co-management (队伍共管) ---------------------------------------------------------------


@map_page
@require_http_methods(["GET", "POST"])
def co_management_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident unit's member joins the co-management of a community at or below this node."""
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    q = request.GET.get("q", "").strip()[:100]
    form = forms.CoManagementForm(request.POST or None, actor=actor, area=area, q=q)
    back = reverse("members:ledger", args=[area.pk]) + "?tab=co_managed"
    title = _("Add a unit member to co-management")
    return form_page(
        request,
        form,
        save=lambda: services.co_management_add(actor=actor, **form.service_kwargs()),
        success=lambda row: (
            _("%(name)s takes part in the co-management of %(community)s.")
            % {"name": row.member.name, "community": row.community.name}
        ),
        done_url=lambda row: back,
        title=title,
        crumbs=_crumbs(actor, area, [{"label": title, "url": None}]),
        cancel_url=back,
        template="members/co_management_form.html",
        extra={
            "q": q,
            "intro": _(
                "Members of the resident units in your area (their staff, or members their Party organisations hold) join the community's co-management (队伍共管)."
            ),
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def co_management_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    row = selectors.co_management_get(actor=actor, pk=pk)
    back = reverse("members:ledger", args=[row.community_id]) + "?tab=co_managed"
    title = _("%(name)s leaves the co-management of %(community)s") % {
        "name": row.member.name,
        "community": row.community.name,
    }
    return _end_page(
        request,
        end=lambda data: services.co_management_end(actor=actor, row=row, until=data["until"]),
        label=_("Leaves on"),
        success=_("%(name)s left the co-management.") % {"name": row.member.name},
        back_url=back,
        title=title,
        crumbs=_crumbs(actor, row.community, [{"label": title, "url": None}])
        if org_selectors.area_list(actor=actor).filter(pk=row.community_id).exists()
        else [],
        intro=_("The entry stays in the member's history."),
    )


# --- dual reporting -------------------------------------------------------------------------


@ledger_page
@require_http_methods(["GET", "POST"])
def member_report_create(request: HttpRequest, pk: int) -> HttpResponse:
    """An in-service member registers with the community where they live: by an administrator,
    or by the member themself."""
    actor = request.user
    member = selectors.member_get(actor=actor, pk=pk)
    form = forms.MemberReportForm(request.POST or None, actor=actor)
    url = reverse("members:member_detail", args=[member.pk])
    title = _("Register %(name)s with a community") % {"name": member.name}
    return form_page(
        request,
        form,
        save=lambda: services.member_report_create(actor=actor, member=member, **form.values()),
        success=lambda report: (
            _("%(name)s registered with %(community)s; the community will confirm.")
            % {"name": member.name, "community": report.community.name}
        ),
        done_url=lambda report: url,
        title=title,
        crumbs=_member_crumbs(actor, member, title),
        cancel_url=url,
        extra={
            "intro": _(
                "In-service members register with the community where they live (双报到): skills and the services they would like to give."
            )
        },
    )


@map_page
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The registrations with the communities at and below a node; pending ones first to decide."""
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    filters = forms.ReportFilterForm(
        request.GET if "status" in request.GET else {"status": ReportStatus.PENDING}
    )
    status = valid_filters(filters).get("status") or ""
    rows = selectors.member_report_list(actor=actor, within=area, status=status, current=False)
    return _render(
        request,
        "members/report_list.html",
        {
            "area": area,
            "crumbs": _crumbs(actor, area, [{"label": _("Reports"), "url": None}]),
            "filters": filters,
            "status": status,
            "page": paginate(request, rows),
            "unit_reports": list(selectors.unit_report_list(actor=actor, within=area)),
        },
    )


def _report_context(request: HttpRequest, report: MemberReport) -> dict[str, Any]:
    actor = request.user
    community_visible = org_selectors.area_list(actor=actor).filter(pk=report.community_id).exists()
    return {
        "report": report,
        "crumbs": _member_crumbs(
            actor, report.member, _("Registration with %(community)s") % {"community": report.community.name}
        ),
        "contacts": list(report.contacts.all()),
        "community_visible": community_visible,
        "contact_form": forms.ContactForm(),
        "area": report.community if community_visible else None,
    }


@ledger_page
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.member_report_get(actor=request.user, pk=pk)
    return _render(request, "members/report_detail.html", _report_context(request, report))


@map_page
@require_POST
def report_decide(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.member_report_get(actor=request.user, pk=pk)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            services.member_report_decide(actor=request.user, report=report, confirm=confirm)
        except ValidationError as exc:
            service_messages(request, exc, joined=True)
        else:
            message = (
                _("%(name)s's registration is confirmed.")
                if confirm
                else _("%(name)s's registration is declined.")
            )
            messages.success(request, message % {"name": report.member.name})
    return redirect(_next_or(request, reverse("members:report_detail", args=[report.pk])))


@map_page
@require_POST
def report_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.member_report_get(actor=request.user, pk=pk)
    form = forms.ContactForm(request.POST)

    def again() -> HttpResponse:
        context = _report_context(request, report)
        context["contact_form"] = form
        return _render(request, "members/report_detail.html", context)

    return page_form_post(
        request,
        form,
        save=lambda: services.report_contact_add(actor=request.user, report=report, **form.cleaned_data),
        success=_("Recorded."),
        done_url=reverse("members:report_detail", args=[report.pk]),
        again=again,
    )


@map_page
def unit_report_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    within = within_area(request)
    rows = selectors.unit_report_list(actor=actor, within=within)
    return _render(
        request,
        "members/unit_report_list.html",
        {"within": within, "page": paginate(request, rows), "area": within},
    )


@map_page
@require_http_methods(["GET", "POST"])
def unit_report_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = forms.UnitReportForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.unit_report_create(actor=actor, **form.values()),
        success=lambda report: (
            _("%(org)s registered with %(community)s.")
            % {"org": report.org.name, "community": report.community.name}
        ),
        done_url=lambda report: reverse("members:unit_report_list"),
        title=_("Register a unit's Party organisation with its community"),
        crumbs=[],
        cancel_url=reverse("members:unit_report_list"),
    )


@map_page
def feedback_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The quarterly feedback sheet for one employer: its reported members and what they did (for
    a community administrator, also of a unit elsewhere whose staff registered with them)."""
    actor = request.user
    unit = selectors.feedback_unit_get(actor=actor, pk=pk)
    today = timezone.localdate()
    current = {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
    form = forms.QuarterForm(request.GET or None, initial=current)
    data = valid_filters(form) if request.GET else {}
    year: int = data.get("year") or current["year"]
    quarter: int = data.get("quarter") or current["quarter"]
    rows = selectors.feedback_sheet(actor=actor, unit_id=unit.pk, year=year, quarter=quarter)
    return _render(
        request,
        "members/feedback.html",
        {
            "unit": unit,
            "form": form,
            "year": year,
            "quarter": quarter,
            "rows": rows,
            "total_contacts": sum(r["contacts"] for r in rows),
            "total_activities": sum(r["activities"] for r in rows),
        },
    )


# --- mobile members and stations ------------------------------------------------------------


@map_page
def mobile_list(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    current = request.GET.get("show") != "all"
    rows = selectors.mobile_list(actor=actor, within=area, current=current)
    reminders = selectors.mobile_reminders(actor=actor, within=area)
    page = paginate(request, rows)
    on_page = [r.pk for r in page.object_list]
    return _render(
        request,
        "members/mobile_list.html",
        {
            "area": area,
            "crumbs": _crumbs(actor, area, [{"label": _("Mobile members"), "url": None}]),
            "current": current,
            "page": page,
            # the first of each reminder list, with how many there are (a district can have many)
            "reminders": {k: list(v[:REMINDERS_SHOWN]) for k, v in reminders.items()},
            "reminder_counts": {k: v.count() for k, v in reminders.items()},
            "due_ids": set(reminders["report_back_due"].filter(pk__in=on_page).values_list("pk", flat=True)),
            "transfer_ids": set(
                reminders["transfer_prompted"].filter(pk__in=on_page).values_list("pk", flat=True)
            ),
            "today": timezone.localdate(),
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def mobile_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, pk=pk)
    form = forms.MobileRecordForm(request.POST or None)
    url = reverse("members:member_detail", args=[member.pk])
    title = _("%(name)s goes away") % {"name": member.name}
    return form_page(
        request,
        form,
        save=lambda: services.mobile_record_create(actor=actor, member=member, **form.cleaned_data),
        success=lambda record: _("%(name)s is in the mobile ledger.") % {"name": member.name},
        done_url=lambda record: url,
        title=title,
        crumbs=_member_crumbs(actor, member, title),
        cancel_url=url,
        extra={
            "intro": _(
                "For a stay up to six months with an activity card; a longer stay moves the membership by a transfer."
            )
        },
    )


@map_page
@require_POST
def mobile_report_back(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.mobile_get(actor=request.user, pk=pk)
    form = forms.ReportBackForm(request.POST)
    if form.is_valid():
        services.mobile_report_back(actor=request.user, record=record, on=form.cleaned_data["on"])
        messages.success(request, _("%(name)s reported back.") % {"name": record.member.name})
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect(_next_or(request, reverse("members:member_detail", args=[record.member_id])))


@map_page
@require_http_methods(["GET", "POST"])
def mobile_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    record = selectors.mobile_get(actor=actor, pk=pk)
    title = _("%(name)s is back") % {"name": record.member.name}
    return _end_page(
        request,
        end=lambda data: services.mobile_record_end(actor=actor, record=record, until=data["until"]),
        label=_("Back on"),
        success=_("%(name)s left the mobile ledger.") % {"name": record.member.name},
        back_url=reverse("members:member_detail", args=[record.member_id]),
        title=title,
        crumbs=_member_crumbs(actor, record.member, title),
        intro=_("The record and the mobile ledger entry end; both stay in the history."),
    )


@map_page
def station_list(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    rows = selectors.station_list(actor=actor, within=area)
    return _render(
        request,
        "members/station_list.html",
        {
            "area": area,
            "crumbs": _crumbs(actor, area, [{"label": _("Stations"), "url": None}]),
            "page": paginate(request, rows),
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def station_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    form = forms.StationForm(request.POST or None, actor=actor, area=area)
    return form_page(
        request,
        form,
        save=lambda: services.station_create(actor=actor, **form.values()),
        success=added,
        done_url=lambda station: reverse("members:station_detail", args=[station.pk]),
        title=_("New station for mobile members"),
        crumbs=_crumbs(
            actor, area, [{"label": _("Stations"), "url": reverse("members:station_list", args=[area.pk])}]
        ),
        cancel_url=reverse("members:station_list", args=[area.pk]),
    )


def _station_context(
    request: HttpRequest, station: Station, form: forms.CheckInForm | None = None
) -> dict[str, Any]:
    actor = request.user
    list_url = reverse("members:station_list", args=[station.area_id])
    return {
        "station": station,
        "area": station.area,
        "crumbs": _crumbs(
            actor,
            station.area,
            [{"label": _("Stations"), "url": list_url}, {"label": station.name, "url": None}],
        ),
        "check_ins": paginate(request, selectors.check_in_list(actor=actor, station=station)),
        "form": form or forms.CheckInForm(actor=actor),
    }


@map_page
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, pk=pk)
    return _render(request, "members/station_detail.html", _station_context(request, station))


@map_page
@require_POST
def station_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    station = selectors.station_get(actor=actor, pk=pk)
    form = forms.CheckInForm(request.POST, actor=actor)
    return page_form_post(
        request,
        form,
        save=lambda: services.station_check_in(
            actor=actor,
            station=station,
            member=form.cleaned_data["member"],
            purpose=form.cleaned_data["purpose"],
        ),
        success=lambda checked_in: _("%(name)s checked in.") % {"name": form.cleaned_data["member"].name},
        done_url=reverse("members:station_detail", args=[station.pk]),
        again=lambda: _render(
            request, "members/station_detail.html", _station_context(request, station, form)
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def station_self_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """A member away from home checks themself in at a station, from its link on their phone."""
    actor = request.user
    station, away = selectors.station_for_self_check_in(actor=actor, pk=pk)
    form = forms.SelfCheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_check_in(
                actor=actor, station=station, member=away.member, purpose=form.cleaned_data["purpose"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("You checked in at %(station)s.") % {"station": station.name})
            return redirect("members:station_self_check_in", pk=station.pk)
    return render(
        request,
        "members/station_self.html",
        {
            "station": station,
            "away": away,
            "form": form,
            "check_ins": list(selectors.own_check_in_list(actor=actor, station=station)[:10]),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def station_self_list(request: HttpRequest) -> HttpResponse:
    """The stations a member away from home may check in at (those at their destination first)."""
    actor = request.user
    q = request.GET.get("q", "").strip()[:100]
    away = selectors.self_check_in_away(actor=actor)
    rows = selectors.self_check_in_station_list(actor=actor, q=q)
    return render(
        request,
        "members/station_self_list.html",
        {
            "away": away,
            "q": q,
            "page": paginate(request, rows),
            "check_ins": list(selectors.own_check_in_list(actor=actor)[:5]),
        },
    )


# --- transfers ------------------------------------------------------------------------------


@map_page
def transfer_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    filters = forms.TransferFilterForm(request.GET or None)
    state = valid_filters(filters).get("state") or "open"
    if state == "open":
        rows = selectors.transfer_list(actor=actor, status=TransferStatus.ISSUED)
    elif state == "closed":
        rows = selectors.transfer_list(actor=actor).exclude(status=TransferStatus.ISSUED)
    else:
        rows = selectors.transfer_list(actor=actor)
    overdue = selectors.transfer_overdue(actor=actor)
    page = paginate(request, rows)
    return _render(
        request,
        "members/transfer_list.html",
        {
            "filters": filters,
            "state": state,
            "page": page,
            "overdue_ids": set(
                overdue.filter(pk__in=[t.pk for t in page.object_list]).values_list("pk", flat=True)
            ),
            "overdue_count": overdue.count(),
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def transfer_issue(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, pk=pk)
    q = request.GET.get("q", "").strip()[:100]
    form = forms.TransferForm(request.POST or None, actor=actor, member=member, q=q)
    url = reverse("members:member_detail", args=[member.pk])
    title = _("Transfer the membership of %(name)s") % {"name": member.name}
    return form_page(
        request,
        form,
        save=lambda: services.transfer_issue(actor=actor, member=member, **form.service_kwargs()),
        success=lambda transfer: _("Letter %(letter)s issued.") % {"letter": transfer.letter_no},
        done_url=lambda transfer: reverse("members:transfer_detail", args=[transfer.pk]),
        title=title,
        crumbs=_member_crumbs(actor, member, title),
        cancel_url=url,
        template="members/transfer_form.html",
        extra={
            "q": q,
            "intro": _(
                "From %(org)s. The membership moves when the receiving organisation accepts the letter."
            )
            % {"org": member.org.name},
        },
    )


def _transfer_context(request: HttpRequest, transfer: Transfer) -> dict[str, Any]:
    actor = request.user
    visible_orgs = org_selectors.party_org_list(actor=actor, current=False)
    return {
        "transfer": transfer,
        "crumbs": [
            {"label": _("Transfers"), "url": reverse("members:transfer_list")},
            {"label": transfer.letter_no, "url": None},
        ],
        "receiver": transfer.status == TransferStatus.ISSUED
        and visible_orgs.filter(pk=transfer.to_org_id).exists(),
        "overdue": selectors.transfer_overdue(actor=actor).filter(pk=transfer.pk).exists(),
        "member_visible": selectors.member_list(actor=actor).filter(pk=transfer.member_id).exists(),
        "reject_form": forms.RejectForm(),
    }


@map_page
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(actor=request.user, pk=pk)
    return _render(request, "members/transfer_detail.html", _transfer_context(request, transfer))


@map_page
@require_POST
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(actor=request.user, pk=pk)
    return button(
        request,
        lambda: services.transfer_receive(actor=request.user, transfer=transfer),
        _("Received: the membership of %(name)s is now held by %(org)s.")
        % {"name": transfer.member.name, "org": transfer.to_org.name},
        reverse("members:transfer_detail", args=[transfer.pk]),
        joined=True,
    )


@map_page
@require_http_methods(["GET", "POST"])
def transfer_reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    transfer = selectors.transfer_get(actor=actor, pk=pk)
    form = forms.RejectForm(request.POST or None)
    url = reverse("members:transfer_detail", args=[transfer.pk])
    title = _("Reject transfer %(letter)s") % {"letter": transfer.letter_no}
    return form_page(
        request,
        form,
        save=lambda: services.transfer_reject(
            actor=actor, transfer=transfer, reason=form.cleaned_data["reason"]
        ),
        success=lambda rejected: _("The transfer is rejected."),
        done_url=lambda rejected: url,
        title=title,
        crumbs=[
            {"label": _("Transfers"), "url": reverse("members:transfer_list")},
            {"label": transfer.letter_no, "url": url},
        ],
        cancel_url=url,
    )


# --- household plaques ----------------------------------------------------------------------


@map_page
def household_list(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    current = request.GET.get("show") != "all"
    rows = selectors.household_list(actor=actor, within=area, current=current)
    return _render(
        request,
        "members/household_list.html",
        {
            "area": area,
            "crumbs": _crumbs(actor, area, [{"label": _("Party-member households"), "url": None}]),
            "current": current,
            "page": paginate(request, rows),
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def household_award(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    form = forms.HouseholdForm(request.POST or None, actor=actor, area=area)
    list_url = reverse("members:household_list", args=[area.pk])
    return form_page(
        request,
        form,
        save=lambda: services.household_award(actor=actor, **form.service_kwargs()),
        success=lambda household: _("The plaque of %(door)s is awarded.") % {"door": household.address},
        done_url=lambda household: reverse("members:household_detail", args=[household.pk]),
        title=_("Award a Party-member household plaque"),
        crumbs=_crumbs(actor, area, [{"label": _("Party-member households"), "url": list_url}]),
        cancel_url=list_url,
        extra={
            "intro": _(
                "The street's Party organisation awards the plaque to a household with at least one full "
                "member, which looks after 1 to 9 neighbouring households."
            )
        },
    )


@map_page
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    household = selectors.household_get(actor=actor, pk=pk)
    list_url = reverse("members:household_list", args=[household.area_id])
    visible = set(
        selectors.member_list(actor=actor)
        .filter(pk__in=[m.pk for m in household.members.all()])
        .values_list("pk", flat=True)
    )
    return _render(
        request,
        "members/household_detail.html",
        {
            "household": household,
            "area": household.area,
            "crumbs": _crumbs(
                actor,
                household.area,
                [
                    {"label": _("Party-member households"), "url": list_url},
                    {"label": household.address, "url": None},
                ],
            ),
            "visible_members": visible,
        },
    )


@map_page
@require_http_methods(["GET", "POST"])
def household_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    household = selectors.household_get(actor=actor, pk=pk)
    url = reverse("members:household_detail", args=[household.pk])
    return _end_page(
        request,
        end=lambda data: services.household_withdraw(
            actor=actor, household=household, until=data["until"], reason=data["reason"]
        ),
        form_class=forms.WithdrawForm,
        label=_("Withdrawn on"),
        success=_("The plaque is withdrawn."),
        back_url=url,
        title=_("Withdraw the plaque of %(door)s") % {"door": household.address},
        crumbs=_crumbs(actor, household.area, [{"label": household.address, "url": url}]),
    )
