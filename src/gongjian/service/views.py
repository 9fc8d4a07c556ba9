"""Pages of service: teams, volunteers, activities with the rotating QR code, hours, points, the
member's own "My service" page (phone first) and the employers' quarterly sheet.

Reads go through ``selectors`` (a row outside the actor's scope is a 404), writes through
``services`` (a refusal is a 403, bad input a message on the form); the ``*_allowed`` questions
decide which buttons a page offers.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongjian.accounts.scope import scope_for
from gongjian.core.excel import BookWriter
from gongjian.core.pdf import render_pdf
from gongjian.web import holders
from gongjian.web.crumbs import Crumb, crumb, crumbs
from gongjian.web.pages import button, form_page, paginate, qr_svg, reveal_once

from . import forms, selectors, services
from .models import Activity, HoursStatus
from .qr import QR_STEP_SECONDS, qr_token_valid

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _home_crumb() -> Crumb:
    return crumb(_("Service"), reverse("service:home"))


def _crumbs(*rest: tuple[str, str | None]) -> list[Crumb]:
    return [_home_crumb(), *crumbs(*rest)]


# --- home and my service ----------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    scope = scope_for(actor)
    activities = selectors.activity_list(actor=actor, upcoming=True)
    pending_hours = [
        r
        for r in selectors.hours_list(actor=actor, status=HoursStatus.PENDING)[:50]
        if services.hours_decide_allowed(actor=actor, record=r)
    ]
    pending_points = [
        e
        for e in selectors.points_entry_list(actor=actor, status="pending")[:50]
        if services.points_decide_allowed(actor=actor, entry=e)
    ]
    return render(
        request,
        "service/home.html",
        {
            "crumbs": [{"label": _("Service"), "url": None}],
            "administers": not scope.empty,
            "teams": selectors.team_list(actor=actor, active=True).count(),
            "volunteers": selectors.volunteer_list(actor=actor).count() if not scope.empty else None,
            "upcoming": list(activities[:10]),
            "pending_hours": pending_hours[:10],
            "pending_points": pending_points[:10],
            "can_create": services.activity_create_allowed(actor=actor),
            "is_person": services.points_claim_allowed(actor=actor)
            or selectors.actor_volunteer(actor) is not None,
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A member's (or volunteer's) own hours and points this year, on the phone."""
    year_raw = request.GET.get("year", "")
    data = selectors.my_service(actor=request.user, year=int(year_raw) if year_raw.isdigit() else None)
    return render(
        request,
        "service/mine.html",
        {**data, "crumbs": _crumbs((_("My service"), None)), "can_log": data["member"] or data["volunteer"]},
    )


# --- teams ------------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    show = request.GET.get("show", "active")
    rows = selectors.team_list(
        actor=actor, active=None if show == "all" else True, q=request.GET.get("q", "")
    )
    return render(
        request,
        "service/team_list.html",
        {
            "crumbs": _crumbs((_("Service teams"), None)),
            "page": paginate(request, rows),
            "show": show,
            "q": request.GET.get("q", ""),
            "can_create": services.team_create_allowed(actor=actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = forms.TeamForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.team_create(actor=actor, **form.cleaned_data),
        done_url=lambda t: reverse("service:team_detail", args=[t.pk]),
        success=_("The team was set up."),
        title=_("New service team"),
        crumbs=_crumbs((_("Service teams"), reverse("service:team_list")), (_("New"), None)),
        cancel_url=reverse("service:team_list"),
    )


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    team = selectors.team_get(actor=actor, pk=pk)
    can_manage = services.team_manage_allowed(actor=actor, team=team)
    return render(
        request,
        "service/team_detail.html",
        {
            "team": team,
            "crumbs": _crumbs((_("Service teams"), reverse("service:team_list")), (team.name, None)),
            "memberships": selectors.team_memberships(actor=actor, team=team),
            "duties": selectors.team_duties(actor=actor, team=team),
            "periods": selectors.team_periods(actor=actor, team=team),
            "activities": selectors.activity_list(actor=actor, team=team)[:20],
            "can_manage": can_manage,
            "status_form": forms.TeamStatusForm() if can_manage else None,
            "record_panels": holders.panels_for("team", team, actor),
        },
    )


def _team_to_change(request: HttpRequest, pk: int) -> Any:
    team = selectors.team_get(actor=request.user, pk=pk)
    if not services.team_manage_allowed(actor=request.user, team=team):
        raise PermissionDenied(_("You may not change the team %(name)s.") % {"name": team.name})
    return team


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    team = _team_to_change(request, pk)
    initial = {
        "name": team.name,
        "area": team.area,
        "org": team.org,
        "unit": team.unit,
        "description": team.description,
    }
    form = forms.TeamForm(request.POST or None, actor=actor, initial=initial)
    del form.fields["since"]
    back = reverse("service:team_detail", args=[team.pk])
    return form_page(
        request,
        form,
        save=lambda: services.team_update(actor=actor, team=team, **form.cleaned_data),
        done_url=lambda t: back,
        success=_("Saved."),
        title=_("Edit %(name)s") % {"name": team.name},
        crumbs=_crumbs((team.name, back), (_("Edit"), None)),
        cancel_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    team = _team_to_change(request, pk)
    back = reverse("service:team_detail", args=[team.pk])
    form = forms.TeamMemberForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.team_member_add(actor=actor, team=team, **form.cleaned_data),
        done_url=lambda r: back,
        success=_("Added to the team."),
        title=_("Add to %(name)s") % {"name": team.name},
        crumbs=_crumbs((team.name, back), (_("Add a member"), None)),
        cancel_url=back,
    )


@login_required
@require_POST
def team_membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    membership = selectors.team_membership_get(actor=actor, pk=pk)
    team = _team_to_change(request, membership.team_id)
    return button(
        request,
        lambda: services.team_member_end(actor=actor, membership=membership),
        _("The membership ended; it stays in the team's history."),
        reverse("service:team_detail", args=[team.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_duty_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    team = _team_to_change(request, pk)
    back = reverse("service:team_detail", args=[team.pk])
    form = forms.DutyForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.duty_add(actor=actor, team=team, **form.cleaned_data),
        done_url=lambda r: back,
        success=_("The duty was added."),
        title=_("Standing duty of %(name)s") % {"name": team.name},
        crumbs=_crumbs((team.name, back), (_("Standing duty"), None)),
        cancel_url=back,
    )


@login_required
@require_POST
def duty_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    duty = selectors.duty_get(actor=actor, pk=pk)
    team = _team_to_change(request, duty.team_id)
    return button(
        request,
        lambda: services.duty_end(actor=actor, duty=duty),
        _("The duty ended."),
        reverse("service:team_detail", args=[team.pk]),
    )


@login_required
@require_POST
def team_status(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    team = _team_to_change(request, pk)
    form = forms.TeamStatusForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    active = request.POST.get("active") == "1"
    return button(
        request,
        lambda: services.team_status_set(
            actor=actor, team=team, active=active, on=data.get("on"), note=data.get("note", "")
        ),
        _("The team is active again.") if active else _("The team was stood down."),
        reverse("service:team_detail", args=[team.pk]),
    )


# --- volunteers -------------------------------------------------------------------------------


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    q = request.GET.get("q", "")
    return render(
        request,
        "service/volunteer_list.html",
        {
            "crumbs": _crumbs((_("Volunteers"), None)),
            "page": paginate(request, selectors.volunteer_list(actor=actor, q=q)),
            "q": q,
            "can_create": services.team_create_allowed(actor=actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = forms.VolunteerForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.volunteer_create(actor=actor, **form.cleaned_data),
        done_url=lambda v: reverse("service:volunteer_detail", args=[v.pk]),
        success=_("The volunteer was registered."),
        title=_("New volunteer"),
        crumbs=_crumbs((_("Volunteers"), reverse("service:volunteer_list")), (_("New"), None)),
        cancel_url=reverse("service:volunteer_list"),
    )


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    volunteer = selectors.volunteer_get(actor=actor, pk=pk)
    return render(
        request,
        "service/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "crumbs": _crumbs((_("Volunteers"), reverse("service:volunteer_list")), (volunteer.name, None)),
            "hours": selectors.hours_list(actor=actor).filter(volunteer=volunteer)[:50],
            "can_manage": services.volunteer_manage_allowed(actor=actor, volunteer=volunteer),
            "reveal_form": forms.RevealForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    volunteer = selectors.volunteer_get(actor=actor, pk=pk)
    if not services.volunteer_manage_allowed(actor=actor, volunteer=volunteer):
        raise PermissionDenied(_("You may not change %(name)s.") % {"name": volunteer.name})
    back = reverse("service:volunteer_detail", args=[volunteer.pk])
    initial = {
        "name": volunteer.name,
        "area": volunteer.area,
        "volunteer_no": volunteer.volunteer_no,
        "skills": volunteer.skills,
    }
    form = forms.VolunteerForm(request.POST or None, actor=actor, initial=initial)
    form.fields["phone"].help_text = _("Leave empty to keep %(masked)s.") % {
        "masked": volunteer.phone_masked or "–"
    }

    def save(d: dict[str, Any]) -> Any:
        phone = d.pop("phone") or None
        return services.volunteer_update(actor=actor, volunteer=volunteer, phone=phone, **d)

    return form_page(
        request,
        form,
        save=lambda: save(dict(form.cleaned_data)),
        done_url=lambda v: back,
        success=_("Saved."),
        title=_("Edit %(name)s") % {"name": volunteer.name},
        crumbs=_crumbs((volunteer.name, back), (_("Edit"), None)),
        cancel_url=back,
    )


@login_required
@require_POST
@never_cache
def volunteer_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The clear phone number, once, with a reason (audited)."""
    actor = request.user
    volunteer = selectors.volunteer_get(actor=actor, pk=pk)
    form = forms.RevealForm(request.POST)
    clear = (
        reveal_once(
            form,
            lambda data: services.volunteer_reveal(actor=actor, volunteer=volunteer, reason=data["reason"]),
        )
        or ""
    )
    return render(
        request,
        "service/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "crumbs": _crumbs((_("Volunteers"), reverse("service:volunteer_list")), (volunteer.name, None)),
            "hours": selectors.hours_list(actor=actor).filter(volunteer=volunteer)[:50],
            "can_manage": services.volunteer_manage_allowed(actor=actor, volunteer=volunteer),
            "reveal_form": form,
            "clear_phone": clear,
        },
    )


# --- activities -------------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    show = request.GET.get("show", "upcoming")
    upcoming = {"upcoming": True, "past": False}.get(show)
    rows = selectors.activity_list(actor=actor, upcoming=upcoming, q=request.GET.get("q", ""))
    if upcoming is not True:
        rows = rows.order_by("-starts_at", "pk")
    return render(
        request,
        "service/activity_list.html",
        {
            "crumbs": _crumbs((_("Activities"), None)),
            "page": paginate(request, rows),
            "show": show,
            "q": request.GET.get("q", ""),
            "can_create": services.activity_create_allowed(actor=actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    initial: dict[str, Any] = {}
    team_raw = request.GET.get("team", "")
    if team_raw.isdigit():
        initial = {"organiser_kind": "team", "team": selectors.team_get(actor=actor, pk=int(team_raw))}
    form = forms.ActivityForm(request.POST or None, actor=actor, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: services.activity_create(actor=actor, **form.cleaned_data),
        done_url=lambda a: reverse("service:activity_detail", args=[a.pk]),
        success=_("The activity was published."),
        title=_("New activity"),
        crumbs=_crumbs((_("Activities"), reverse("service:activity_list")), (_("New"), None)),
        cancel_url=reverse("service:activity_list"),
    )


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    activity = selectors.activity_get(actor=actor, pk=pk)
    manages = services.activity_manage_allowed(actor=actor, activity=activity)
    own = selectors.own_attendance(actor=actor, activity=activity)
    return render(
        request,
        "service/activity_detail.html",
        {
            "activity": activity,
            "crumbs": _crumbs((_("Activities"), reverse("service:activity_list")), (activity.title, None)),
            "manages": manages,
            "attendances": selectors.attendance_list(actor=actor, activity=activity) if manages else [],
            "signed_up": selectors.signup_count(activity),
            "own": own,
            "can_sign_up": services.activity_signup_allowed(actor=actor, activity=activity),
            "can_cancel": own is not None and own.status == "signed_up" and own.signed_in_at is None,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def activity_sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(actor=request.user, pk=pk)
    return button(
        request,
        lambda: services.activity_sign_up(actor=request.user, activity=activity),
        _("You are signed up. A confirmation is in your notifications."),
        reverse("service:activity_detail", args=[activity.pk]),
    )


@login_required
@require_POST
def activity_sign_up_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(actor=request.user, pk=pk)
    return button(
        request,
        lambda: services.activity_sign_up_cancel(actor=request.user, activity=activity),
        _("Your sign-up was cancelled."),
        reverse("service:activity_detail", args=[activity.pk]),
    )


def _activity_to_manage(request: HttpRequest, pk: int) -> Activity:
    activity = selectors.activity_get(actor=request.user, pk=pk)
    if not services.activity_manage_allowed(actor=request.user, activity=activity):
        raise PermissionDenied(_("Only the organisers may do this."))
    return activity


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    activity = _activity_to_manage(request, pk)
    back = reverse("service:activity_detail", args=[activity.pk])
    form = forms.DecisionForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.activity_cancel(
            actor=actor, activity=activity, reason=form.cleaned_data["reason"]
        ),
        done_url=lambda a: back,
        success=_("The activity was cancelled; those signed up were told."),
        title=_("Cancel %(title)s") % {"title": activity.title},
        crumbs=_crumbs((activity.title, back), (_("Cancel"), None)),
        cancel_url=back,
    )


@login_required
@require_GET
@never_cache
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's screen: a QR code that changes every 30 seconds (the image is refreshed by
    ``static/gongjian/service.js``; without JavaScript the page reloads itself)."""
    activity = _activity_to_manage(request, pk)
    opens, closes = services.scan_window(activity)
    return render(
        request,
        "service/activity_qr.html",
        {
            "activity": activity,
            "crumbs": _crumbs(
                (activity.title, reverse("service:activity_detail", args=[activity.pk])),
                (_("Sign-in code"), None),
            ),
            "step": QR_STEP_SECONDS,
            "opens": opens,
            "closes": closes,
            "qr_svg": qr_svg(_scan_url(request, activity), scale=6),
        },
    )


def _scan_url(request: HttpRequest, activity: Activity) -> str:
    token = services.activity_code(actor=request.user, activity=activity)
    return request.build_absolute_uri(
        f"{reverse('service:activity_scan', args=[activity.pk])}?{urlencode({'t': token})}"
    )


@login_required
@require_GET
@never_cache
def activity_qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The current QR code as an SVG image (polled by the organiser's screen)."""
    activity = _activity_to_manage(request, pk)
    svg = segno.make(_scan_url(request, activity), error="m")
    buffer = io.BytesIO()
    svg.save(buffer, kind="svg", scale=8, border=2, dark="#111", light="#fff")
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def activity_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """Opened from the QR code on a phone: one big button signs in (then out)."""
    actor = request.user
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    activity = selectors.activity_for_scan(actor=actor, pk=pk, token=token)
    if request.method == "POST":
        try:
            row = services.attendance_scan(actor=actor, activity=activity, token=token)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if row.signed_out_at:
                messages.success(
                    request,
                    _("Signed out: %(hours)s hours, waiting for the organiser to verify them.")
                    % {"hours": row.computed_hours},
                )
            else:
                messages.success(request, _("Signed in. Scan the code again when you leave."))
        return redirect(f"{reverse('service:activity_scan', args=[activity.pk])}?{urlencode({'t': token})}")
    own = selectors.own_attendance(actor=actor, activity=activity)
    return render(
        request,
        "service/activity_scan.html",
        {
            "activity": activity,
            "token": token,
            "valid": qr_token_valid(activity=activity, token=token),
            "own": own,
            "signing_out": own is not None and own.signed_in_at is not None and own.signed_out_at is None,
            "done": own is not None and own.signed_out_at is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser records a sign-in and sign-out by hand."""
    actor = request.user
    activity = _activity_to_manage(request, pk)
    back = reverse("service:activity_detail", args=[activity.pk])
    initial = {
        "signed_in_at": timezone.localtime(activity.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "signed_out_at": timezone.localtime(activity.ends_at).strftime("%Y-%m-%dT%H:%M"),
    }
    form = forms.AttendanceForm(request.POST or None, actor=actor, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: services.attendance_record(actor=actor, activity=activity, **form.cleaned_data),
        done_url=lambda r: back,
        success=_("The attendance was recorded."),
        title=_("Record attendance"),
        crumbs=_crumbs((activity.title, back), (_("Record attendance"), None)),
        cancel_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_verify(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    row = selectors.attendance_get(actor=actor, pk=pk)
    activity = _activity_to_manage(request, row.activity_id)
    back = reverse("service:activity_detail", args=[activity.pk])
    form = forms.VerifyForm(request.POST or None, initial={"hours": row.computed_hours})
    return form_page(
        request,
        form,
        save=lambda: services.attendance_verify(
            actor=actor, attendance=row, hours=form.cleaned_data["hours"], reason=form.cleaned_data["reason"]
        ),
        done_url=lambda r: back,
        success=_("The hours were verified."),
        title=_("Verify the hours of %(name)s") % {"name": row.person.name},
        crumbs=_crumbs((activity.title, back), (_("Verify hours"), None)),
        cancel_url=back,
    )


# --- hours ------------------------------------------------------------------------------------


@login_required
def hours_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    status = request.GET.get("status", "")
    rows = selectors.hours_list(actor=actor, status=status if status in HoursStatus.values else "")
    return render(
        request,
        "service/hours_list.html",
        {
            "crumbs": _crumbs((_("Service hours"), None)),
            "page": paginate(request, rows.order_by("-on", "-pk")),
            "status": status,
            "statuses": HoursStatus.choices,
            "decidable": {
                r.pk
                for r in rows.filter(status=HoursStatus.PENDING)[:200]
                if services.hours_decide_allowed(actor=actor, record=r)
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hours_log(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = forms.HoursLogForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.hours_log(actor=actor, **form.cleaned_data),
        done_url=lambda r: reverse("service:mine"),
        success=_("Your hours were logged; they count once your community verifies them."),
        title=_("Log service hours"),
        crumbs=_crumbs((_("My service"), reverse("service:mine")), (_("Log hours"), None)),
        cancel_url=reverse("service:mine"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def hours_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    record = selectors.hours_get(actor=actor, pk=pk)
    back = reverse("service:hours_list")
    approve = request.POST.get("decision", "approve") != "reject"
    form = forms.HoursDecideForm(request.POST or None, initial={"hours": record.hours})
    return form_page(
        request,
        form,
        save=lambda: services.hours_decide(
            actor=actor,
            record=record,
            approve=approve,
            hours=form.cleaned_data["hours"],
            reason=form.cleaned_data["reason"],
        ),
        done_url=lambda r: back,
        success=_("The hours were verified.") if approve else _("The hours were rejected."),
        title=_("Verify the hours of %(name)s") % {"name": record.person.name},
        crumbs=_crumbs((_("Service hours"), back), (_("Verify"), None)),
        cancel_url=back,
        template="service/hours_decide.html",
        extra={"record": record},
    )


@login_required
@require_http_methods(["GET", "POST"])
def hours_correct(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    record = selectors.hours_get(actor=actor, pk=pk)
    back = reverse("service:hours_list")
    form = forms.HoursCorrectForm(request.POST or None, initial={"hours": record.hours})
    return form_page(
        request,
        form,
        save=lambda: services.hours_correct(actor=actor, record=record, **form.cleaned_data),
        done_url=lambda r: back,
        success=_("The hours were corrected."),
        title=_("Correct the hours of %(name)s") % {"name": record.person.name},
        crumbs=_crumbs((_("Service hours"), back), (_("Correct"), None)),
        cancel_url=back,
    )


# --- points -----------------------------------------------------------------------------------


@login_required
def points(request: HttpRequest) -> HttpResponse:
    actor = request.user
    entries = selectors.points_entry_list(actor=actor).order_by("-on", "-pk")
    page = paginate(request, entries)
    return render(
        request,
        "service/points.html",
        {
            "crumbs": _crumbs((_("Points"), None)),
            "rules": selectors.points_rule_list(actor=actor),
            "page": page,
            "decidable": {
                e.pk for e in page.object_list if services.points_decide_allowed(actor=actor, entry=e)
            },
            "can_create_rule": services.points_rule_create_allowed(actor=actor),
            "can_claim": services.points_claim_allowed(actor=actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    back = reverse("service:points")
    form = forms.RuleForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.points_rule_create(actor=actor, **form.cleaned_data),
        done_url=lambda r: back,
        success=_("The rule was added."),
        title=_("New points rule"),
        crumbs=_crumbs((_("Points"), back), (_("New rule"), None)),
        cancel_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def points_claim(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = forms.ClaimForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        save=lambda: services.points_claim(actor=actor, **form.cleaned_data),
        done_url=lambda e: reverse("service:mine"),
        success=_("Your claim was sent for approval."),
        title=_("Claim points"),
        crumbs=_crumbs((_("My service"), reverse("service:mine")), (_("Claim points"), None)),
        cancel_url=reverse("service:mine"),
    )


@login_required
@require_POST
def entry_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    entry = selectors.points_entry_get(actor=actor, pk=pk)
    approve = request.POST.get("decision") == "approve"
    return button(
        request,
        lambda: services.points_entry_decide(
            actor=actor, entry=entry, approve=approve, reason=request.POST.get("reason", "")
        ),
        _("The entry was approved.") if approve else _("The entry was rejected."),
        reverse("service:points"),
    )


# --- the employer's quarterly sheet -----------------------------------------------------------


def _quarter(request: HttpRequest) -> tuple[forms.QuarterForm, int, int]:
    today = timezone.localdate()
    current = {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
    form = forms.QuarterForm(request.GET or None, initial=current)
    data = form.cleaned_data if request.GET and form.is_valid() else {}
    return form, data.get("year") or current["year"], data.get("quarter") or current["quarter"]


def _sheet(request: HttpRequest, pk: int) -> dict[str, Any]:
    actor = request.user
    unit = selectors.feedback_unit_get(actor=actor, pk=pk)
    form, year, quarter = _quarter(request)
    rows = selectors.feedback_hours(actor=actor, unit=unit, year=year, quarter=quarter)
    return {
        "unit": unit,
        "form": form,
        "year": year,
        "quarter": quarter,
        "rows": rows,
        "total_hours": sum((r["hours"] for r in rows), selectors.ZERO),
        "total_activities": sum(r["activities"] for r in rows),
        "generated": timezone.localtime(),
    }


@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The quarterly sheet for an employer: its reported members' verified hours and activities."""
    context = _sheet(request, pk)
    context["crumbs"] = _crumbs((_("Quarterly service sheet"), None))
    context["query"] = urlencode({"year": context["year"], "quarter": context["quarter"]})
    return render(request, "service/feedback.html", context)


def _filename(context: dict[str, Any], ext: str) -> str:
    from urllib.parse import quote

    name = f"{context['unit'].name}-{context['year']}Q{context['quarter']}.{ext}"
    return f"attachment; filename*=UTF-8''{quote(name)}"


def feedback_workbook(context: dict[str, Any]) -> bytes:
    book = BookWriter(constant_memory=False)
    sheet = book.sheet(_("Service"))
    sheet.append(
        [_("%(unit)s: service of reported members, %(year)s Q%(quarter)s") % context],
        style="title",
    )
    sheet.header(
        [
            _("Member"),
            _("Community"),
            _("Verified hours"),
            pgettext("field", "Activities"),
            _("Date"),
            _("What was done"),
            _("Hours"),
        ],
        widths=[14, 20, 12, 10, 12, 36, 8],
    )
    for row in context["rows"]:
        items = row["items"] or [None]
        for n, item in enumerate(items):
            head = (
                [row["member"].name, row["community"].name, row["hours"], row["activities"]]
                if n == 0
                else ["", "", "", ""]
            )
            tail = [item["on"], item["title"], item["hours"]] if item else ["", "", ""]
            sheet.append(head + tail)
    sheet.append([_("Total"), "", context["total_hours"], context["total_activities"]], style="header")
    return book.close()


@login_required
def feedback_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    context = _sheet(request, pk)
    response = HttpResponse(feedback_workbook(context), content_type=XLSX)
    response["Content-Disposition"] = _filename(context, "xlsx")
    return response


@login_required
def feedback_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _sheet(request, pk)
    response = HttpResponse(render_pdf("pdf/service_feedback.html", context), content_type="application/pdf")
    response["Content-Disposition"] = _filename(context, "pdf")
    return response


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("mine/", mine, name="mine"),
    path("teams/", team_list, name="team_list"),
    path("teams/new/", team_create, name="team_create"),
    path("teams/<int:pk>/", team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", team_edit, name="team_edit"),
    path("teams/<int:pk>/members/add/", team_member_add, name="team_member_add"),
    path("teams/<int:pk>/duties/add/", team_duty_add, name="team_duty_add"),
    path("teams/<int:pk>/status/", team_status, name="team_status"),
    path("memberships/<int:pk>/end/", team_membership_end, name="team_membership_end"),
    path("duties/<int:pk>/end/", duty_end, name="duty_end"),
    path("volunteers/", volunteer_list, name="volunteer_list"),
    path("volunteers/new/", volunteer_create, name="volunteer_create"),
    path("volunteers/<int:pk>/", volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/edit/", volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/reveal/", volunteer_reveal, name="volunteer_reveal"),
    path("activities/", activity_list, name="activity_list"),
    path("activities/new/", activity_create, name="activity_create"),
    path("activities/<int:pk>/", activity_detail, name="activity_detail"),
    path("activities/<int:pk>/sign-up/", activity_sign_up, name="activity_sign_up"),
    path("activities/<int:pk>/cancel-sign-up/", activity_sign_up_cancel, name="activity_sign_up_cancel"),
    path("activities/<int:pk>/cancel/", activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/code/", activity_qr, name="activity_qr"),
    path("activities/<int:pk>/code.svg", activity_qr_svg, name="activity_qr_svg"),
    path("activities/<int:pk>/scan/", activity_scan, name="activity_scan"),
    path("activities/<int:pk>/attendance/add/", activity_attendance_add, name="activity_attendance_add"),
    path("attendance/<int:pk>/verify/", attendance_verify, name="attendance_verify"),
    path("hours/", hours_list, name="hours_list"),
    path("hours/log/", hours_log, name="hours_log"),
    path("hours/<int:pk>/verify/", hours_decide, name="hours_decide"),
    path("hours/<int:pk>/correct/", hours_correct, name="hours_correct"),
    path("points/", points, name="points"),
    path("points/rules/new/", rule_create, name="rule_create"),
    path("points/claim/", points_claim, name="points_claim"),
    path("points/entries/<int:pk>/decide/", entry_decide, name="entry_decide"),
    path("units/<int:pk>/sheet/", feedback, name="feedback"),
    path("units/<int:pk>/sheet.xlsx", feedback_xlsx, name="feedback_xlsx"),
    path("units/<int:pk>/sheet.pdf", feedback_pdf, name="feedback_pdf"),
]
