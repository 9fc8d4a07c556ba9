"""Pages of agreements, expanded committees and part-time seats.

Reads go through ``selectors`` and writes through ``services`` with the signed-in user as the
actor: a row outside the actor's scope is a 404 (from the selectors), a step the actor may not take
is a 403 (the services' ``*_allowed`` answers), a write the services refuse is a message on the
form. Buttons are shown from the same ``*_allowed`` answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.pages import within_area
from gongjian.web.crumbs import Crumb, crumb, trail
from gongjian.web.pages import (
    file_response,
    form_page,
    paginate,
    part_page,
    saved,
    step_page,
    url_or_none,
    valid_filters,
)

from ..forms import agreements as forms
from ..models import Agreement, AgreementStatus, Committee, PartTimeSeat
from ..selectors import agreements as selectors
from ..services import agreements as services
from . import home_crumb

#: Pages of the meetings part, linked from the co-building home once they exist.
MEETING_PAGES = [
    ("cobuild:meeting_list", gettext_lazy("Joint meetings"), "bi-people-fill"),
    ("cobuild:action_list", gettext_lazy("Action items"), "bi-list-check"),
    ("cobuild:consultation_list", gettext_lazy("Consultations"), "bi-chat-square-text"),
]


#: Signed in, and holding a role that reaches co-building (an administrator or a unit liaison).
cobuild_page = part_page(gettext_lazy("Your roles do not include agreements and committees."))


def _agreement_crumbs(agreement: Agreement | None = None, last: str | None = None) -> list[Crumb]:
    here = (agreement.number, reverse("cobuild:agreement_detail", args=[agreement.pk])) if agreement else None
    return trail([home_crumb(), crumb(_("Agreements"), reverse("cobuild:agreement_list"))], here, last)


def _committees_crumbs() -> list[Crumb]:
    return [home_crumb(), crumb(_("Expanded committees"), reverse("cobuild:committee_list"))]


def _committee_crumbs(committee: Committee | None = None, last: str | None = None) -> list[Crumb]:
    here = (committee.name, reverse("cobuild:committee_detail", args=[committee.pk])) if committee else None
    return trail(_committees_crumbs(), here, last)


def _seat_crumbs(actor: Actor, seat: PartTimeSeat, last: str | None = None) -> list[Crumb]:
    committee = seat.committee
    visible = selectors.committee_list(actor=actor).filter(pk=committee.pk).exists()
    url = reverse("cobuild:committee_detail", args=[committee.pk]) if visible else None
    here = (seat.person_name, reverse("cobuild:seat_detail", args=[seat.pk]))
    return trail([*_committees_crumbs(), crumb(committee.name, url)], here, last)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    return file_response(
        data, content_type="application/pdf", filename=filename, inline=True, cache="private, no-store"
    )


# --- home -----------------------------------------------------------------------------------------


@login_required
def cobuild_home(request: HttpRequest) -> HttpResponse:
    """What co-building holds for the actor: agreements, committees and seats (for the roles that
    reach them), what waits for them, and the meetings part."""
    actor = request.user
    today = timezone.localdate()
    meetings = []
    for name, label, icon in MEETING_PAGES:
        url = url_or_none(name)
        if url is not None:
            meetings.append({"url": url, "label": label, "icon": icon})
    context: dict[str, Any] = {"meetings": meetings, "reaches": not scope_for(actor).empty}
    if context["reaches"]:
        context.update(
            {
                "agreements_in_force": selectors.agreement_list(
                    actor=actor, status=AgreementStatus.IN_FORCE
                ).count(),
                "agreements_total": selectors.agreement_list(actor=actor).count(),
                "committees_total": selectors.committee_list(actor=actor).count(),
                "seats_in_force": selectors.seat_list(actor=actor, on=today).count(),
                "to_sign": list(selectors.agreement_signing_queue(actor=actor)[:20]),
                "to_approve": list(selectors.seat_approval_queue(actor=actor)[:20]),
                "expiring": list(
                    selectors.agreement_expiring_list(actor=actor, days=services.REMIND_DAYS, on=today)[:20]
                ),
            }
        )
    return render(request, "cobuild/home.html", context)


# --- agreements -----------------------------------------------------------------------------------


@cobuild_page
def agreement_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    within = within_area(request)
    filters = forms.AgreementFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.agreement_list(
        actor=actor, q=data.get("q") or "", status=data.get("status") or "", within=within
    )
    page = paginate(request, rows)
    return render(
        request,
        "cobuild/agreement_list.html",
        {
            "filters": filters,
            "within": within,
            "page": page,
            "crumbs": [home_crumb(), {"label": _("Agreements"), "url": None}],
            "can_create": services.agreement_create_allowed(actor=actor),
        },
    )


@cobuild_page
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    agreement = selectors.agreement_get(actor=actor, pk=pk)
    return render(
        request,
        "cobuild/agreement_detail.html",
        {
            "agreement": agreement,
            "clauses": list(selectors.agreement_clauses(actor=actor, agreement=agreement)),
            "reviews": list(selectors.agreement_reviews(actor=actor, agreement=agreement)),
            "crumbs": _agreement_crumbs(agreement),
            "can_edit": services.agreement_edit_allowed(actor=actor, agreement=agreement),
            "can_sign": services.agreement_sign_allowed(actor=actor, agreement=agreement),
            "can_end": services.agreement_end_allowed(actor=actor, agreement=agreement),
            "can_review": services.agreement_review_allowed(actor=actor, agreement=agreement),
            "unit_visible": org_selectors.unit_list(actor=actor, current=False)
            .filter(pk=agreement.unit_id)
            .exists(),
        },
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not services.agreement_create_allowed(actor=actor):
        raise PermissionDenied(_("You may not start an agreement."))
    form = forms.AgreementForm(request.POST or None, actor=actor)
    title = _("New co-building agreement")
    return form_page(
        request,
        form,
        save=lambda: services.agreement_create(actor=actor, **form.service_kwargs()),
        success=lambda a: (
            _("Draft %(number)s was saved; the community or street side signs it.") % {"number": a.number}
        ),
        done_url=lambda a: reverse("cobuild:agreement_detail", args=[a.pk]),
        title=title,
        crumbs=_agreement_crumbs(last=title),
        cancel_url=reverse("cobuild:agreement_list"),
        template="cobuild/agreement_form.html",
    )


def _agreement_to(request: HttpRequest, pk: int, allowed: Callable[..., bool], message: str) -> Agreement:
    """The agreement ``pk`` (404 outside the scope), when ``allowed`` (else 403 with ``message``)."""
    agreement = selectors.agreement_get(actor=request.user, pk=pk)
    if not allowed(actor=request.user, agreement=agreement):
        raise PermissionDenied(message % {"number": agreement.number})
    return agreement


@cobuild_page
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    agreement = _agreement_to(
        request, pk, services.agreement_edit_allowed, _("%(number)s cannot be changed (only a draft can).")
    )
    form = forms.AgreementForm(request.POST or None, actor=actor, agreement=agreement)
    url = reverse("cobuild:agreement_detail", args=[agreement.pk])
    return form_page(
        request,
        form,
        save=lambda: services.agreement_update(actor=actor, agreement=agreement, **form.service_kwargs()),
        success=saved,
        done_url=lambda a: url,
        title=_("Edit draft %(number)s") % {"number": agreement.number},
        crumbs=_agreement_crumbs(agreement, _("Edit")),
        cancel_url=url,
        template="cobuild/agreement_form.html",
    )


def _agreement_step(
    request: HttpRequest,
    agreement: Agreement,
    form: django_forms.Form,
    *,
    save: Callable[[], Any],
    success: str,
    title: str,
    intro: str = "",
) -> HttpResponse:
    return step_page(
        request,
        form,
        save=save,
        success=success,
        url=reverse("cobuild:agreement_detail", args=[agreement.pk]),
        title=title,
        crumbs=_agreement_crumbs(agreement, title),
        extra={"intro": intro},
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    agreement = _agreement_to(
        request, pk, services.agreement_sign_allowed, _("Only the community or street side signs %(number)s.")
    )
    form = forms.AgreementSignForm(request.POST or None)
    return _agreement_step(
        request,
        agreement,
        form,
        save=lambda: services.agreement_sign(actor=actor, agreement=agreement, **form.cleaned_data),
        success=_("%(number)s is signed.") % {"number": agreement.number},
        title=_("Sign %(number)s") % {"number": agreement.number},
        intro=_(
            "Both sides have signed the paper and sealed it. The agreement is in force from the start of its term."
        ),
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    agreement = _agreement_to(
        request, pk, services.agreement_end_allowed, _("%(number)s cannot be ended now.")
    )
    form = forms.AgreementEndForm(request.POST or None)
    return _agreement_step(
        request,
        agreement,
        form,
        save=lambda: services.agreement_end(actor=actor, agreement=agreement, **form.cleaned_data),
        success=_("%(number)s has ended.") % {"number": agreement.number},
        title=_("End %(number)s early") % {"number": agreement.number},
        intro=_("The agreement stops being in force on that day; its history stays."),
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def agreement_review(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    agreement = _agreement_to(
        request, pk, services.agreement_review_allowed, _("%(number)s has no year left to review.")
    )
    form = forms.AgreementReviewForm(request.POST or None, years=services.agreement_review_years(agreement))
    return _agreement_step(
        request,
        agreement,
        form,
        save=lambda: services.agreement_review(actor=actor, agreement=agreement, **form.cleaned_data),
        success=_("The review was recorded."),
        title=_("Yearly review of %(number)s") % {"number": agreement.number},
        intro=_("One review a year: what was done under each clause, and how well."),
    )


@cobuild_page
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(actor=request.user, pk=pk)
    data = selectors.agreement_document(actor=request.user, agreement=agreement)
    return _pdf(data, f"{agreement.number}.pdf")


# --- committees -----------------------------------------------------------------------------------


@cobuild_page
def committee_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    within = within_area(request)
    filters = forms.CommitteeFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.committee_list(
        actor=actor, q=data.get("q") or "", kind=data.get("kind") or "", within=within
    )
    return render(
        request,
        "cobuild/committee_list.html",
        {
            "filters": filters,
            "within": within,
            "page": paginate(request, rows),
            "crumbs": [home_crumb(), {"label": _("Expanded committees"), "url": None}],
            "can_create": services.committee_create_allowed(actor=actor),
        },
    )


@cobuild_page
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    committee = selectors.committee_get(actor=actor, pk=pk)
    return render(
        request,
        "cobuild/committee_detail.html",
        {
            "committee": committee,
            "groups": selectors.committee_seats_by_step(actor=actor, committee=committee),
            "crumbs": _committee_crumbs(committee),
            "can_recommend": services.seat_recommend_allowed(actor=actor, committee=committee),
        },
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not services.committee_create_allowed(actor=actor):
        raise PermissionDenied(_("You may not form an expanded committee."))
    form = forms.CommitteeForm(request.POST or None, actor=actor)
    title = _("New expanded committee")
    return form_page(
        request,
        form,
        save=lambda: services.committee_create(actor=actor, **form.cleaned_data),
        success=lambda c: _("%(name)s was formed.") % {"name": c.name},
        done_url=lambda c: reverse("cobuild:committee_detail", args=[c.pk]),
        title=title,
        crumbs=_committee_crumbs(last=title),
        cancel_url=reverse("cobuild:committee_list"),
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def seat_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    committee = selectors.committee_get(actor=actor, pk=pk)
    if not services.seat_recommend_allowed(actor=actor, committee=committee):
        raise PermissionDenied(
            _("You may not recommend members of %(committee)s.") % {"committee": committee.name}
        )
    form = forms.SeatRecommendForm(request.POST or None, actor=actor, committee=committee)
    title = _("Recommend a part-time member")
    return form_page(
        request,
        form,
        save=lambda: services.seat_recommend(actor=actor, committee=committee, **form.cleaned_data),
        success=lambda s: _("%(name)s was recommended.") % {"name": s.person_name},
        done_url=lambda s: reverse("cobuild:seat_detail", args=[s.pk]),
        title=title,
        crumbs=_committee_crumbs(committee, title),
        cancel_url=reverse("cobuild:committee_detail", args=[committee.pk]),
        extra={
            "intro": _(
                "A leader of a unit sitting in the area. Then: screening, approval by the level above, appointment and public notice in the unit."
            )
        },
    )


# --- part-time seats ------------------------------------------------------------------------------


@cobuild_page
def seat_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    within = within_area(request)
    filters = forms.SeatFilterForm(request.GET or None)
    data = valid_filters(filters)
    rows = selectors.seat_list(actor=actor, q=data.get("q") or "", step=data.get("step") or "", within=within)
    return render(
        request,
        "cobuild/seat_list.html",
        {
            "filters": filters,
            "within": within,
            "page": paginate(request, rows),
            "crumbs": [home_crumb(), {"label": _("Part-time members"), "url": None}],
            "today": timezone.localdate(),
        },
    )


@cobuild_page
def seat_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    seat = selectors.seat_get(actor=actor, pk=pk)
    return render(
        request,
        "cobuild/seat_detail.html",
        {
            "seat": seat,
            "actions": services.seat_actions_allowed(actor=actor, seat=seat),
            "has_certificate": selectors.seat_has_certificate(seat),
            "in_force": selectors.seat_list(actor=actor, on=timezone.localdate()).filter(pk=seat.pk).exists(),
            "committee_visible": selectors.committee_list(actor=actor).filter(pk=seat.committee_id).exists(),
            "crumbs": _seat_crumbs(actor, seat),
        },
    )


def _seat_step(
    request: HttpRequest,
    pk: int,
    action: str,
    form: django_forms.Form,
    *,
    save: Callable[[PartTimeSeat], Any],
    title: str,
    success: str,
    intro: str = "",
) -> HttpResponse:
    """A step of a seat: 404 outside the scope, 403 when the actor may not take it now."""
    actor = request.user
    seat = selectors.seat_get(actor=actor, pk=pk)
    if action not in services.seat_actions_allowed(actor=actor, seat=seat):
        raise PermissionDenied(
            _("This step is not yours to take on this seat, or not at its step (%(step)s).")
            % {"step": seat.get_step_display()}
        )
    return step_page(
        request,
        form,
        save=lambda: save(seat),
        success=success % {"name": seat.person_name},
        url=reverse("cobuild:seat_detail", args=[seat.pk]),
        title=f"{title} · {seat.person_name}",
        crumbs=_seat_crumbs(actor, seat, title),
        extra={"intro": intro},
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def seat_screen(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.SeatDateForm(request.POST or None, label=_("Screened on"))
    return _seat_step(
        request,
        pk,
        "screen",
        form,
        save=lambda seat: services.seat_screen(
            actor=request.user, seat=seat, screened_on=form.cleaned_data["on"]
        ),
        title=_("Screening"),
        success=_("%(name)s was screened; the level above approves next."),
        intro=_("The committee's side has looked into the person and puts them up for approval."),
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def seat_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.SeatDateForm(request.POST or None, label=_("Approved on"))
    return _seat_step(
        request,
        pk,
        "approve",
        form,
        save=lambda seat: services.seat_approve(
            actor=request.user, seat=seat, approved_on=form.cleaned_data["on"]
        ),
        title=_("Approval"),
        success=_("%(name)s was approved."),
        intro=_("Approval comes from the level above the committee's area."),
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def seat_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.SeatRejectForm(request.POST or None)
    return _seat_step(
        request,
        pk,
        "reject",
        form,
        save=lambda seat: services.seat_reject(actor=request.user, seat=seat, **form.cleaned_data),
        title=_("Not taken"),
        success=_("The recommendation of %(name)s was not taken."),
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def seat_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.SeatAppointForm(request.POST or None)
    return _seat_step(
        request,
        pk,
        "appoint",
        form,
        save=lambda seat: services.seat_appoint(actor=request.user, seat=seat, **form.cleaned_data),
        title=_("Appointment"),
        success=_("%(name)s was appointed; the certificate is ready."),
        intro=_("The certificate is numbered when the appointment is saved."),
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def seat_announce(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.SeatDateForm(request.POST or None, label=_("Announced on"))
    return _seat_step(
        request,
        pk,
        "announce",
        form,
        save=lambda seat: services.seat_announce(
            actor=request.user, seat=seat, announced_on=form.cleaned_data["on"]
        ),
        title=_("Public notice"),
        success=_("The public notice of %(name)s was recorded."),
        intro=_("The appointment was announced publicly in the member's own unit."),
    )


@cobuild_page
@require_http_methods(["GET", "POST"])
def seat_end(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.SeatEndForm(request.POST or None)
    return _seat_step(
        request,
        pk,
        "end",
        form,
        save=lambda seat: services.seat_end(actor=request.user, seat=seat, **form.cleaned_data),
        title=_("End of the seat"),
        success=_("The seat of %(name)s has ended."),
    )


@cobuild_page
def seat_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    seat = selectors.seat_get(actor=request.user, pk=pk)
    data = selectors.seat_certificate(actor=request.user, seat=seat)
    return _pdf(data, f"聘书-{seat.certificate_no}.pdf")


urlpatterns: list[URLPattern] = [
    path("agreements/", agreement_list, name="agreement_list"),
    path("agreements/new/", agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/sign/", agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/end/", agreement_end, name="agreement_end"),
    path("agreements/<int:pk>/review/", agreement_review, name="agreement_review"),
    path("agreements/<int:pk>/pdf/", agreement_pdf, name="agreement_pdf"),
    path("committees/", committee_list, name="committee_list"),
    path("committees/new/", committee_create, name="committee_create"),
    path("committees/<int:pk>/", committee_detail, name="committee_detail"),
    path("committees/<int:pk>/recommend/", seat_recommend, name="seat_recommend"),
    path("seats/", seat_list, name="seat_list"),
    path("seats/<int:pk>/", seat_detail, name="seat_detail"),
    path("seats/<int:pk>/screen/", seat_screen, name="seat_screen"),
    path("seats/<int:pk>/approve/", seat_approve, name="seat_approve"),
    path("seats/<int:pk>/reject/", seat_reject, name="seat_reject"),
    path("seats/<int:pk>/appoint/", seat_appoint, name="seat_appoint"),
    path("seats/<int:pk>/announce/", seat_announce, name="seat_announce"),
    path("seats/<int:pk>/end/", seat_end, name="seat_end"),
    path("seats/<int:pk>/certificate/", seat_certificate, name="seat_certificate"),
]
