"""Pages of joint meetings, action items and consultations, under /cobuild/ in the "cobuild"
namespace.

Reads go through ``selectors.meetings`` and writes through ``services.meetings`` with the signed-in
user as the actor: a row outside the actor's scope is a 404 (from the selectors); a write the
services refuse is a 403 (PermissionDenied) or a message (ValidationError). Buttons are shown from
the services' ``*_allowed`` answers. The QR sign-in page is open to any signed-in user holding the
meeting's code; the calendar feed at ``calendar/<token>.ics`` to whoever holds a signed address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import icalendar
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongjian.accounts.actor import Actor
from gongjian.core.pdf import render_pdf
from gongjian.orgs import selectors as org_selectors
from gongjian.web import holders
from gongjian.web.pages import (
    button,
    form_page,
    page_form_post,
    paginate,
    part_page,
    qr_svg,
    saved,
    service_messages,
    valid_filters,
)

from ..forms import meetings as forms
from ..models import ActionItem, AgendaItem, AgendaStatus, Consultation, JointMeeting, MeetingStatus
from ..selectors import meetings as selectors
from ..services import meetings as services
from . import home_crumb

FORM_TEMPLATE = "cobuild/meeting_form.html"


#: Signed in, and holding a role that reaches meetings (an administrator or a unit liaison).
#: Members and residents open only the sign-in page of a meeting whose code they hold.
meeting_page = part_page(gettext_lazy("Your roles do not include joint meetings."))


def _meetings_crumbs(tail: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return [
        home_crumb(),
        {"label": _("Joint meetings"), "url": reverse("cobuild:meeting_list")},
        *(tail or []),
    ]


def _meeting_crumbs(meeting: JointMeeting, last: str | None = None) -> list[dict[str, Any]]:
    url = reverse("cobuild:meeting_detail", args=[meeting.pk])
    tail = [{"label": meeting.title, "url": url if last else None}]
    if last:
        tail.append({"label": last, "url": None})
    return _meetings_crumbs(tail)


def _detail_url(meeting: JointMeeting, anchor: str = "") -> str:
    return reverse("cobuild:meeting_detail", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


def _gate(allowed: bool) -> None:
    """A form page opens only for who may use it now (the service would refuse the POST anyway)."""
    if not allowed:
        raise PermissionDenied(_("You cannot do this here now."))


def _sign_in_url(request: HttpRequest, meeting: JointMeeting) -> str:
    token = services.meeting_sign_in_token(actor=request.user, meeting=meeting)
    path_ = reverse("cobuild:meeting_sign_in", args=[meeting.pk])
    return request.build_absolute_uri(f"{path_}?{urlencode({'t': token})}")


# --- meetings --------------------------------------------------------------------------------


@meeting_page
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    filters = forms.MeetingFilterForm(request.GET or None, actor=actor)
    data = valid_filters(filters)
    within = data.get("within")
    rows = selectors.meeting_list(
        actor=actor,
        within=within,
        level=data.get("level") or "",
        status=data.get("status") or "",
        q=data.get("q") or "",
    )
    token = selectors.calendar_feed_token(actor=actor, area=within)
    feed = request.build_absolute_uri(reverse("cobuild:meeting_ics_feed", args=[token]))
    return render(
        request,
        "cobuild/meeting_list.html",
        {
            "crumbs": [home_crumb(), {"label": _("Joint meetings"), "url": None}],
            "filters": filters,
            "within": within,
            "page": paginate(request, rows),
            "can_convene": services.meeting_convene_allowed(actor=actor),
            "feed_url": feed,
            "ics_url": reverse("cobuild:meeting_ics_area", args=[within.pk])
            if within
            else reverse("cobuild:meeting_ics"),
        },
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not services.meeting_convene_allowed(actor=actor):
        raise PermissionDenied(_("Only an administrator convenes a joint meeting."))
    form = forms.MeetingForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.meeting_convene(actor=actor, **form.service_kwargs()),
        success=lambda meeting: _("The meeting %(title)s is convened.") % {"title": meeting.title},
        done_url=lambda meeting: _detail_url(meeting),
        title=_("Convene a joint meeting"),
        crumbs=_meetings_crumbs([{"label": _("Convene"), "url": None}]),
        cancel_url=reverse("cobuild:meeting_list"),
        extra={
            "intro": _(
                "Topics are collected from 7 days before the meeting; the agenda goes to the level above 2 days before."
            )
        },
    )


def _detail_context(request: HttpRequest, meeting: JointMeeting) -> dict[str, Any]:
    actor = request.user
    can = services.meeting_permissions(actor=actor, meeting=meeting)
    topics = list(selectors.agenda_item_list(actor=actor, meeting=meeting))
    today = timezone.localdate()
    opens, closes = services.meeting_sign_in_window(meeting=meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "crumbs": _meeting_crumbs(meeting),
        "can": can,
        "today": today,
        "units": list(selectors.meeting_unit_list(actor=actor, meeting=meeting)),
        "agenda": [t for t in topics if t.status == AgendaStatus.ACCEPTED],
        "proposed": [t for t in topics if t.status == AgendaStatus.PROPOSED],
        "declined": [t for t in topics if t.status == AgendaStatus.DECLINED],
        "follow_ups": selectors.meeting_follow_ups(actor=actor, meeting=meeting),
        "attendance": list(selectors.attendance_list(actor=actor, meeting=meeting)),
        "pledges": list(selectors.pledge_list(actor=actor, meeting=meeting)),
        "resolutions": list(selectors.resolution_list(actor=actor, meeting=meeting)),
        "agreements": list(selectors.meeting_agreements(actor=actor, meeting=meeting)),
        "history": list(selectors.meeting_history(actor=actor, meeting=meeting)),
        "previous_visible": meeting.previous_id is not None
        and selectors.meeting_list(actor=actor).filter(pk=meeting.previous_id).exists(),
        "sign_in_opens": opens,
        "sign_in_closes": closes,
        "topic_window_open": services.topic_window_open(meeting=meeting),
        "record_panels": holders.panels_for("meeting", meeting, actor),
    }
    if can["sign_in_code"]:
        url = _sign_in_url(request, meeting)
        context.update({"sign_in_url": url, "qr_svg": qr_svg(url, scale=5)})
    return context


@meeting_page
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, pk=pk)
    return render(request, "cobuild/meeting_detail.html", _detail_context(request, meeting))


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.meeting_update_allowed(actor=actor, meeting=meeting))
    initial = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    initial["starts_at"] = timezone.localtime(meeting.starts_at)
    initial["ends_at"] = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    form = forms.MeetingForm(request.POST or None, actor=actor, meeting=meeting, initial=initial)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.meeting_update(actor=actor, meeting=meeting, **form.service_kwargs()),
        success=saved,
        done_url=lambda saved: _detail_url(meeting),
        title=_("Edit the meeting"),
        crumbs=_meeting_crumbs(meeting, _("Edit")),
        cancel_url=_detail_url(meeting),
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.meeting_units_change_allowed(actor=actor, meeting=meeting))
    form = forms.MeetingUnitForm(request.POST or None, actor=actor, meeting=meeting)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.meeting_unit_add(actor=actor, meeting=meeting, **form.values()),
        success=lambda row: _("%(unit)s is invited.") % {"unit": row.unit.name},
        done_url=lambda row: _detail_url(meeting, "units"),
        title=_("Invite a member unit"),
        crumbs=_meeting_crumbs(meeting, _("Invite a unit")),
        cancel_url=_detail_url(meeting, "units"),
    )


@meeting_page
@require_POST
def meeting_unit_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    row = (
        selectors.meeting_unit_list(actor=actor, meeting=meeting)
        .filter(pk=request.POST.get("row") or 0)
        .first()
    )
    if row is None:
        messages.error(request, _("Choose an invited unit."))
        return redirect(_detail_url(meeting, "units"))
    return button(
        request,
        lambda: services.meeting_unit_remove(actor=actor, meeting=meeting, unit=row.unit),
        _("%(unit)s is no longer invited.") % {"unit": row.unit.name},
        _detail_url(meeting, "units"),
        joined=True,
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_topic_propose(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.topic_propose_allowed(actor=actor, meeting=meeting))
    form = forms.TopicForm(request.POST or None, actor=actor, meeting=meeting)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.agenda_topic_propose(actor=actor, meeting=meeting, **form.values()),
        success=lambda item: _("Your topic is proposed; the convener decides whether it goes on the agenda."),
        done_url=lambda item: _detail_url(meeting, "agenda"),
        title=_("Propose a topic"),
        crumbs=_meeting_crumbs(meeting, _("Propose a topic")),
        cancel_url=_detail_url(meeting, "agenda"),
        extra={
            "intro": _("Topics are collected until the agenda is sent to the level above on %(date)s.")
            % {"date": meeting.agenda_due_on.isoformat()}
        },
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.agenda_change_allowed(actor=actor, meeting=meeting))
    form = forms.AgendaAddForm(request.POST or None)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.agenda_item_add(actor=actor, meeting=meeting, **form.cleaned_data),
        success=lambda item: _("%(title)s is on the agenda.") % {"title": item.title},
        done_url=lambda item: _detail_url(meeting, "agenda"),
        title=_("Put an item on the agenda"),
        crumbs=_meeting_crumbs(meeting, _("Agenda item")),
        cancel_url=_detail_url(meeting, "agenda"),
    )


def _decide(actor: Actor, item: AgendaItem, data: dict[str, Any]) -> AgendaItem:
    reason = data.get("reason") or ""
    if data["decision"] == "accept":
        return services.agenda_item_accept(actor=actor, item=item, reason=reason)
    if data["decision"] == "decline":
        return services.agenda_item_decline(actor=actor, item=item, reason=reason)
    return services.agenda_item_move(actor=actor, item=item, position=data["position"], reason=reason)


@meeting_page
@require_http_methods(["GET", "POST"])
def agenda_item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, decline or move an agenda item: a button on the meeting's page while the agenda is
    being prepared, this form (with a reason) once it has been sent."""
    actor = request.user
    item = selectors.agenda_item_get(actor=actor, pk=pk)
    meeting = item.meeting
    _gate(services.agenda_change_allowed(actor=actor, meeting=meeting))
    form = forms.AgendaDecideForm(request.POST or None, initial={"position": item.position})
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: _decide(actor, item, form.cleaned_data),
        success=saved,
        done_url=lambda saved: _detail_url(meeting, "agenda"),
        title=_("Change the agenda: %(title)s") % {"title": item.title},
        crumbs=_meeting_crumbs(meeting, _("Agenda")),
        cancel_url=_detail_url(meeting, "agenda"),
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def agenda_item_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    item = selectors.agenda_item_get(actor=actor, pk=pk)
    meeting = item.meeting
    _gate(services.meeting_record_allowed(actor=actor, meeting=meeting))
    form = forms.OutcomeForm(request.POST or None, initial={"outcome": item.outcome})
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.agenda_item_outcome(actor=actor, item=item, **form.cleaned_data),
        success=saved,
        done_url=lambda saved: _detail_url(meeting, "agenda"),
        title=_("Outcome: %(title)s") % {"title": item.title},
        crumbs=_meeting_crumbs(meeting, _("Outcome")),
        cancel_url=_detail_url(meeting, "agenda"),
    )


@meeting_page
@require_POST
def meeting_send_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    return button(
        request,
        lambda: services.meeting_send_agenda(actor=actor, meeting=meeting),
        _("The agenda is sent to the level above and to the invited units."),
        _detail_url(meeting, "agenda"),
        joined=True,
    )


@meeting_page
@require_POST
def meeting_hold(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    return button(
        request,
        lambda: services.meeting_hold(actor=actor, meeting=meeting),
        _("The meeting is held: record its decisions, pledges and minutes."),
        _detail_url(meeting),
        joined=True,
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.meeting_cancel_allowed(actor=actor, meeting=meeting))
    form = forms.ReasonForm(request.POST or None)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.meeting_cancel(actor=actor, meeting=meeting, **form.cleaned_data),
        success=lambda cancelled: _("The meeting is cancelled; the invited units are told."),
        done_url=lambda cancelled: _detail_url(meeting),
        title=_("Cancel %(title)s") % {"title": meeting.title},
        crumbs=_meeting_crumbs(meeting, _("Cancel")),
        cancel_url=_detail_url(meeting),
    )


@meeting_page
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in QR code, full screen, for a projector or a phone held up at the door."""
    meeting = selectors.meeting_get(actor=request.user, pk=pk)
    url = _sign_in_url(request, meeting)
    opens, closes = services.meeting_sign_in_window(meeting=meeting)
    return render(
        request,
        "cobuild/meeting_qr.html",
        {
            "meeting": meeting,
            "crumbs": _meeting_crumbs(meeting, _("Sign-in code")),
            "qr_svg": qr_svg(url, scale=5),
            "sign_in_url": url,
            "opens": opens,
            "closes": closes,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def meeting_sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Opened from the meeting's QR code on a phone: one big button signs the user in, once."""
    actor = request.user
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    meeting = selectors.meeting_for_sign_in(actor=actor, pk=pk, token=token)
    here = f"{reverse('cobuild:meeting_sign_in', args=[meeting.pk])}?{urlencode({'t': token})}"
    if request.method == "POST":
        try:
            services.attendance_sign_in(actor=actor, meeting=meeting, token=token)
        except ValidationError as exc:
            service_messages(request, exc, joined=True)
        return redirect(here)
    opens, closes = services.meeting_sign_in_window(meeting=meeting)
    return render(
        request,
        "cobuild/meeting_sign_in.html",
        {
            "meeting": meeting,
            "token": token,
            "attendance": selectors.attendance_own(actor=actor, meeting=meeting),
            "open": services.sign_in_open(meeting=meeting),
            "opens": opens,
            "closes": closes,
        },
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.attendance_add_allowed(actor=actor, meeting=meeting))
    form = forms.AttendanceForm(request.POST or None, actor=actor, meeting=meeting)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.attendance_add(actor=actor, meeting=meeting, **form.values()),
        success=lambda row: _("%(name)s is recorded as present.") % {"name": row.person_name},
        done_url=lambda row: _detail_url(meeting, "attendance"),
        title=_("Record attendance"),
        crumbs=_meeting_crumbs(meeting, _("Attendance")),
        cancel_url=_detail_url(meeting, "attendance"),
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_pledge_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.meeting_record_allowed(actor=actor, meeting=meeting))
    form = forms.PledgeForm(request.POST or None, actor=actor, meeting=meeting)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.pledge_add(actor=actor, meeting=meeting, **form.values()),
        success=lambda pledge: _("The pledge is recorded."),
        done_url=lambda pledge: _detail_url(meeting, "pledges"),
        title=_("Record a pledge"),
        crumbs=_meeting_crumbs(meeting, _("Pledge")),
        cancel_url=_detail_url(meeting, "pledges"),
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_resolution_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.meeting_record_allowed(actor=actor, meeting=meeting))
    form = forms.ResolutionForm(request.POST or None, actor=actor, meeting=meeting)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.resolution_record(actor=actor, meeting=meeting, **form.service_kwargs()),
        success=lambda resolution: (
            _("The decision is recorded with %(n)d action item(s).") % {"n": resolution.actions.count()}
        ),
        done_url=lambda resolution: _detail_url(meeting, "decisions"),
        title=_("Record a decision"),
        crumbs=_meeting_crumbs(meeting, _("Decision")),
        cancel_url=_detail_url(meeting, "decisions"),
        extra={
            "action_rows": form.action_rows(),
            "intro": _("Each action item has an owner unit (or organisation) and a due date."),
        },
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def resolution_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    resolution = selectors.resolution_get(actor=actor, pk=pk)
    meeting = resolution.meeting
    _gate(services.action_item_add_allowed(actor=actor, resolution=resolution))
    form = forms.ActionForm(request.POST or None, actor=actor, meeting=meeting)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.action_item_add(actor=actor, resolution=resolution, **form.service_kwargs()),
        success=lambda item: _("The action item is recorded."),
        done_url=lambda item: _detail_url(meeting, "decisions"),
        title=_("Add an action item"),
        crumbs=_meeting_crumbs(meeting, _("Action item")),
        cancel_url=_detail_url(meeting, "decisions"),
        extra={"intro": resolution.text},
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.meeting_record_allowed(actor=actor, meeting=meeting))
    form = forms.MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.meeting_minutes_record(actor=actor, meeting=meeting, **form.cleaned_data),
        success=lambda saved: _("The minutes are saved; archive them when they are final."),
        done_url=lambda saved: _detail_url(meeting, "minutes"),
        title=_("Minutes"),
        crumbs=_meeting_crumbs(meeting, _("Minutes")),
        cancel_url=_detail_url(meeting, "minutes"),
    )


@meeting_page
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    return button(
        request,
        lambda: services.meeting_close(actor=actor, meeting=meeting),
        _("The minutes are archived and the meeting is closed."),
        _detail_url(meeting, "minutes"),
        joined=True,
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def meeting_agreement_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    _gate(services.meeting_agreement_allowed(actor=actor, meeting=meeting))
    form = forms.AgreementRecordForm(request.POST or None, actor=actor, meeting=meeting)
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.meeting_record_agreement(actor=actor, meeting=meeting, **form.values()),
        success=lambda agreement: (
            _("%(number)s is recorded as signed at the meeting.") % {"number": agreement.number}
        ),
        done_url=lambda agreement: _detail_url(meeting, "agreements"),
        title=_("An agreement signed at the meeting"),
        crumbs=_meeting_crumbs(meeting, _("Agreement")),
        cancel_url=_detail_url(meeting, "agreements"),
    )


@meeting_page
@require_GET
def meeting_pack(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    pdf = render_pdf("pdf/meeting_pack.html", selectors.meeting_pack(actor=actor, meeting=meeting))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="meeting-{meeting.pk}.pdf"'
    return response


# --- calendar feeds --------------------------------------------------------------------------


def _calendar(request: HttpRequest, meetings: QuerySet[JointMeeting], name: str) -> HttpResponse:
    """An iCalendar (RFC 5545) feed of ``meetings``; cancelled ones stay, marked cancelled."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Gongjian//Joint meetings//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"joint-meeting-{meeting.pk}@gongjian")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2))
        event.add("summary", meeting.title)
        if meeting.venue:
            event.add("location", meeting.venue)
        url = request.build_absolute_uri(_detail_url(meeting))
        event.add(
            "description",
            "\n".join(
                [
                    f"{meeting.convener_org.name} · {meeting.area.name}",
                    str(meeting.get_status_display()),
                    url,
                ]
            ),
        )
        event.add("url", url)
        event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@meeting_page
@require_GET
def meeting_ics(request: HttpRequest) -> HttpResponse:
    """Every meeting the user sees, as a calendar."""
    return _calendar(request, selectors.meeting_calendar(actor=request.user), _("Joint meetings"))


@meeting_page
@require_GET
def meeting_ics_area(request: HttpRequest, pk: int) -> HttpResponse:
    """The meetings of an area (and below) as a calendar."""
    area = org_selectors.area_get(actor=request.user, pk=pk)
    rows = selectors.meeting_calendar(actor=request.user, area=area)
    return _calendar(request, rows, _("Joint meetings · %(area)s") % {"area": area.name})


@require_GET
def meeting_ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The same feed for calendar apps, which cannot sign in: the signed address names the user
    (and area), and the meetings are those that user sees when the feed is fetched."""
    owner, area_pk = selectors.calendar_feed_owner(token=token)
    area = org_selectors.area_get(actor=owner, pk=area_pk) if area_pk is not None else None
    rows = selectors.meeting_calendar(actor=owner, area=area)
    name = _("Joint meetings · %(area)s") % {"area": area.name} if area else _("Joint meetings")
    return _calendar(request, rows, name)


# --- action items ----------------------------------------------------------------------------


def _actions_crumbs(tail: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return [home_crumb(), {"label": _("Action items"), "url": reverse("cobuild:action_list")}, *(tail or [])]


@meeting_page
def action_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    filters = forms.ActionFilterForm(request.GET or None)
    data = valid_filters(filters)
    state = data.get("state") or "open"
    rows = selectors.action_item_list(actor=actor, state=state, q=data.get("q") or "")
    page = paginate(request, rows)
    today = timezone.localdate()
    return render(
        request,
        "cobuild/action_list.html",
        {
            "crumbs": [home_crumb(), {"label": _("Action items"), "url": None}],
            "filters": filters,
            "state": state,
            "page": page,
            "today": today,
            "overdue_count": selectors.action_item_list(actor=actor, state="overdue").count(),
            "closable": {
                item.pk
                for item in page.object_list
                if services.action_item_close_allowed(actor=actor, item=item)
            },
        },
    )


def _action_context(request: HttpRequest, item: ActionItem, form: Any = None) -> dict[str, Any]:
    actor = request.user
    return {
        "item": item,
        "crumbs": _actions_crumbs([{"label": item.title, "url": None}]),
        "can_close": services.action_item_close_allowed(actor=actor, item=item),
        "overdue": item.overdue_on(timezone.localdate()),
        "meeting_visible": selectors.meeting_list(actor=actor).filter(pk=item.meeting_id).exists(),
        "follow_ups": list(item.agenda_items.select_related("meeting").order_by("meeting__starts_at")),
        "form": form or forms.ActionCloseForm(),
    }


@meeting_page
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.action_item_get(actor=request.user, pk=pk)
    return render(request, "cobuild/action_detail.html", _action_context(request, item))


@meeting_page
@require_POST
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    item = selectors.action_item_get(actor=actor, pk=pk)
    form = forms.ActionCloseForm(request.POST)
    return page_form_post(
        request,
        form,
        save=lambda: services.action_item_close(actor=actor, item=item, **form.cleaned_data),
        success=_("The action item is closed."),
        done_url=reverse("cobuild:action_detail", args=[item.pk]),
        again=lambda: render(request, "cobuild/action_detail.html", _action_context(request, item, form)),
    )


# --- consultations ---------------------------------------------------------------------------


def _consultations_crumbs(tail: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return [
        home_crumb(),
        {"label": _("Consultations"), "url": reverse("cobuild:consultation_list")},
        *(tail or []),
    ]


@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    """Administrators: the consultations of their subtree; residents: those put to their area."""
    actor = request.user
    filters = forms.ConsultationFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.consultation_list(
        actor=actor, state=data.get("state") or "all", kind=data.get("kind") or ""
    )
    return render(
        request,
        "cobuild/consultation_list.html",
        {
            "crumbs": [home_crumb(), {"label": _("Consultations"), "url": None}],
            "filters": filters,
            "page": paginate(request, rows),
            "today": timezone.localdate(),
            "can_create": services.consultation_create_allowed(actor=actor),
        },
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not services.consultation_create_allowed(actor=actor):
        raise PermissionDenied(_("Only an administrator opens a consultation."))
    today = timezone.localdate()
    form = forms.ConsultationForm(
        request.POST or None,
        actor=actor,
        initial={"opens_on": today, "closes_on": today + dt.timedelta(days=14)},
    )
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.consultation_create(actor=actor, **form.values()),
        success=lambda consultation: (
            _("The consultation is open from %(date)s.") % {"date": consultation.opens_on.isoformat()}
        ),
        done_url=lambda consultation: reverse("cobuild:consultation_detail", args=[consultation.pk]),
        title=_("Consult the households or residents of an area"),
        crumbs=_consultations_crumbs([{"label": _("New"), "url": None}]),
        cancel_url=reverse("cobuild:consultation_list"),
    )


def _consultation_context(
    request: HttpRequest, consultation: Consultation, form: Any = None
) -> dict[str, Any]:
    actor = request.user
    staff = services.consultation_manage_allowed(actor=actor, consultation=consultation)
    answer_form = form or (forms.StaffAnswerForm() if staff else forms.ResidentAnswerForm())
    resolution = consultation.resolution
    return {
        "consultation": consultation,
        "crumbs": _consultations_crumbs([{"label": consultation.question, "url": None}]),
        "results": selectors.consultation_results(actor=actor, consultation=consultation),
        "staff": staff,
        "can_answer": services.consultation_answer_allowed(actor=actor, consultation=consultation),
        "is_open": services.consultation_open(consultation=consultation),
        "own_answer": selectors.consultation_own_answer(actor=actor, consultation=consultation),
        "answers": list(selectors.consultation_answer_list(actor=actor, consultation=consultation))
        if staff
        else [],
        "form": answer_form,
        "resolution_visible": resolution is not None
        and selectors.meeting_list(actor=actor).filter(pk=resolution.meeting_id).exists(),
    }


@login_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_get(actor=request.user, pk=pk)
    return render(request, "cobuild/consultation_detail.html", _consultation_context(request, consultation))


@login_required
@require_POST
def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    consultation = selectors.consultation_get(actor=actor, pk=pk)
    staff = services.consultation_manage_allowed(actor=actor, consultation=consultation)
    form: Any = forms.StaffAnswerForm(request.POST) if staff else forms.ResidentAnswerForm(request.POST)
    return page_form_post(
        request,
        form,
        save=lambda: services.consultation_answer(
            actor=actor, consultation=consultation, **form.cleaned_data
        ),
        success=_("The answer is recorded."),
        done_url=reverse("cobuild:consultation_detail", args=[consultation.pk]),
        again=lambda: render(
            request, "cobuild/consultation_detail.html", _consultation_context(request, consultation, form)
        ),
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    consultation = selectors.consultation_get(actor=actor, pk=pk)
    _gate(services.consultation_manage_allowed(actor=actor, consultation=consultation))
    initial = {name: getattr(consultation, name) for name in services.CONSULTATION_FIELDS}
    form = forms.ConsultationForm(
        request.POST or None, actor=actor, consultation=consultation, initial=initial
    )
    url = reverse("cobuild:consultation_detail", args=[consultation.pk])
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.consultation_update(actor=actor, consultation=consultation, **form.values()),
        success=saved,
        done_url=lambda saved: url,
        title=_("Edit the consultation"),
        crumbs=_consultations_crumbs(
            [{"label": consultation.question, "url": url}, {"label": _("Edit"), "url": None}]
        ),
        cancel_url=url,
    )


@meeting_page
@require_http_methods(["GET", "POST"])
def consultation_attach(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    consultation = selectors.consultation_get(actor=actor, pk=pk)
    _gate(services.consultation_manage_allowed(actor=actor, consultation=consultation))
    form = forms.AttachForm(
        request.POST or None,
        actor=actor,
        initial={"resolution": consultation.resolution_id, "decision": consultation.decision},
    )
    url = reverse("cobuild:consultation_detail", args=[consultation.pk])
    return form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        save=lambda: services.consultation_attach(actor=actor, consultation=consultation, **form.values()),
        success=saved,
        done_url=lambda saved: url,
        title=_("The decision this consultation informed"),
        crumbs=_consultations_crumbs(
            [{"label": consultation.question, "url": url}, {"label": _("Decision"), "url": None}]
        ),
        cancel_url=url,
    )


urlpatterns: list[URLPattern] = [
    # joint meetings
    path("meetings/", meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_create, name="meeting_create"),
    path("meetings.ics", meeting_ics, name="meeting_ics"),
    path("areas/<int:pk>/meetings.ics", meeting_ics_area, name="meeting_ics_area"),
    path("calendar/<str:token>.ics", meeting_ics_feed, name="meeting_ics_feed"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/units/", meeting_unit_add, name="meeting_unit_add"),
    path("meetings/<int:pk>/units/remove/", meeting_unit_remove, name="meeting_unit_remove"),
    path("meetings/<int:pk>/topics/", meeting_topic_propose, name="meeting_topic_propose"),
    path("meetings/<int:pk>/agenda/", meeting_agenda_add, name="meeting_agenda_add"),
    path("meetings/<int:pk>/send-agenda/", meeting_send_agenda, name="meeting_send_agenda"),
    path("meetings/<int:pk>/hold/", meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/cancel/", meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/qr/", meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/sign-in/", meeting_sign_in, name="meeting_sign_in"),
    path("meetings/<int:pk>/attendance/", meeting_attendance_add, name="meeting_attendance_add"),
    path("meetings/<int:pk>/pledges/", meeting_pledge_add, name="meeting_pledge_add"),
    path("meetings/<int:pk>/decisions/", meeting_resolution_add, name="meeting_resolution_add"),
    path("meetings/<int:pk>/minutes/", meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/close/", meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/agreements/", meeting_agreement_add, name="meeting_agreement_add"),
    path("meetings/<int:pk>/pack.pdf", meeting_pack, name="meeting_pack"),
    path("agenda/<int:pk>/", agenda_item_decide, name="agenda_item_decide"),
    path("agenda/<int:pk>/outcome/", agenda_item_outcome, name="agenda_item_outcome"),
    path("decisions/<int:pk>/actions/", resolution_action_add, name="resolution_action_add"),
    # action items
    path("actions/", action_list, name="action_list"),
    path("actions/<int:pk>/", action_detail, name="action_detail"),
    path("actions/<int:pk>/close/", action_close, name="action_close"),
    # consultations
    path("consultations/", consultation_list, name="consultation_list"),
    path("consultations/new/", consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/edit/", consultation_edit, name="consultation_edit"),
    path("consultations/<int:pk>/answer/", consultation_answer, name="consultation_answer"),
    path("consultations/<int:pk>/decision/", consultation_attach, name="consultation_attach"),
]
