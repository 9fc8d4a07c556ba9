"""Pages of appraisals: the organisers' campaigns with each step's form, the public notice (open to
anyone: the list, each score's parts, objections and their answers) and the certificates.

Reads go through ``selectors`` (a campaign outside the actor's scope is a 404), writes through
``services`` (a refusal is a 403, bad input a message on the form); ``services.campaign_actions``
decides which steps a page offers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongjian.accounts.scope import scope_for
from gongjian.core.pdf import render_pdf
from gongjian.web.crumbs import Crumb, crumbs
from gongjian.web.pages import button, file_response, form_page, holds_scope, part_page, step_page

from . import forms, selectors, services
from .models import Campaign, CampaignStatus, CriterionKind

campaign_page = part_page(gettext_lazy("Your roles do not include appraisals."))


def _crumbs(*rest: tuple[str, str | None]) -> list[Crumb]:
    return crumbs((_("Appraisals and honours"), reverse("honours:home")), *rest)


def _campaign_crumbs(campaign: Campaign, *rest: tuple[str, str | None]) -> list[Crumb]:
    return _crumbs((str(campaign), reverse("honours:campaign", args=[campaign.pk])), *rest)


def rows_url(code: str, indicator: str, day: dt.date) -> str:
    return f"{reverse('stats:rows', args=[code, indicator])}?date={day.isoformat()}"


def _entries(campaign: Campaign, actor: Any) -> list[dict[str, Any]]:
    """Each entry with its parts; a figure's part opens the rows it was counted from, for those who
    may read that node's figures."""
    scope = scope_for(actor)
    out = []
    for entry in selectors.entry_rows(campaign=campaign):
        parts = []
        for part in entry.parts.all():
            criterion = part.criterion
            url = ""
            if (
                criterion.kind == CriterionKind.FIGURE
                and part.figures_on is not None
                and entry.home.code
                and scope.covers_path(entry.home.path)
            ):
                url = rows_url(entry.home.code, criterion.indicator, part.figures_on)
            parts.append({"part": part, "criterion": criterion, "url": url})
        out.append({"entry": entry, "parts": parts})
    return out


# --- the organisers' pages --------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """The organiser's campaigns; anyone else the published lists."""
    if not request.user.is_authenticated or not holds_scope(request.user):
        return redirect("honours:notices")
    return render(
        request,
        "honours/home.html",
        {
            "crumbs": [{"label": _("Appraisals and honours"), "url": None}],
            "campaigns": selectors.campaign_list(actor=request.user),
            "published": selectors.public_list()[:20],
        },
    )


@campaign_page
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    from gongjian.orgs.selectors import area_list

    actor = request.user
    form = forms.CampaignForm(request.POST or None, actor=actor, areas=area_list(actor=actor))
    return form_page(
        request,
        form,
        save=lambda: services.campaign_create(actor=actor, **form.values()),
        success=lambda c: _("The campaign %(name)s is open.") % {"name": c.name},
        done_url=lambda c: reverse("honours:campaign", args=[c.pk]),
        title=_("Open an appraisal campaign"),
        crumbs=_crumbs((_("New campaign"), None)),
        cancel_url=reverse("honours:home"),
    )


@campaign_page
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    return render(
        request,
        "honours/campaign.html",
        {
            "crumbs": [*_campaign_crumbs(campaign)[:-1], {"label": str(campaign), "url": None}],
            "campaign": campaign,
            "criteria": list(campaign.criteria.all()),
            "entries": _entries(campaign, request.user),
            "objections": list(selectors.objection_list(campaign=campaign)),
            "actions": services.campaign_actions(actor=actor, campaign=campaign),
            "today": timezone.localdate(),
        },
    )


def _step(
    request: HttpRequest, campaign: Campaign, form: Any, save: Any, success: str, title: str
) -> HttpResponse:
    url = reverse("honours:campaign", args=[campaign.pk])
    return step_page(
        request,
        form,
        save=save,
        success=success,
        url=url,
        title=title,
        crumbs=_campaign_crumbs(campaign, (title, None)),
    )


@campaign_page
@require_http_methods(["GET", "POST"])
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    form = forms.CriterionForm(request.POST or None, actor=actor)
    return _step(
        request,
        campaign,
        form,
        lambda: services.criterion_add(actor=actor, campaign=campaign, **form.values()),
        _("The criterion is added."),
        _("Add a criterion"),
    )


@campaign_page
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    entries = campaign.entries.filter(nominated=False).order_by("name", "pk")
    chosen = forms.chosen_entry(entries, request.GET.get("entry"))
    form = forms.NominateForm(request.POST or None, actor=actor, entries=entries, chosen=chosen)

    def save() -> Any:
        entry = form.cleaned_data["entry"]
        candidate = entry.area or entry.org or entry.unit or entry.member or entry.team
        return services.nomination_add(
            actor=actor, campaign=campaign, candidate=candidate, note=form.cleaned_data["note"]
        )

    return _step(request, campaign, form, save, _("The nomination is recorded."), _("Nominate a candidate"))


@campaign_page
@require_http_methods(["GET", "POST"])
def panel_score(request: HttpRequest, pk: int, candidate_pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    entry = selectors.entry_get(campaign=campaign, pk=candidate_pk)
    criteria = campaign.criteria.filter(kind=CriterionKind.PANEL)
    form = forms.PanelScoreForm(request.POST or None, actor=actor, criteria=criteria)
    return _step(
        request,
        campaign,
        form,
        lambda: services.panel_score_set(actor=actor, entry=entry, **form.values()),
        _("The panel's score is recorded."),
        _("Panel score: %(name)s") % {"name": entry.name},
    )


@campaign_page
@require_http_methods(["GET", "POST"])
def adjust(request: HttpRequest, pk: int, candidate_pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    entry = selectors.entry_get(campaign=campaign, pk=candidate_pk)
    form = forms.AdjustForm(
        request.POST or None, actor=actor, initial={"adjustment": entry.adjustment or None}
    )
    return _step(
        request,
        campaign,
        form,
        lambda: services.entry_adjust(actor=actor, entry=entry, **form.values()),
        _("The score is adjusted and the list ranked again."),
        _("Adjust the score of %(name)s") % {"name": entry.name},
    )


@campaign_page
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    return button(
        request,
        lambda: services.campaign_score(actor=actor, campaign=campaign),
        _("Scored from the figures and ranked."),
        reverse("honours:campaign", args=[campaign.pk]),
        joined=True,
    )


@campaign_page
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    form = forms.PublishForm(
        request.POST or None, actor=actor, initial={"notice_until": campaign.notice_until}
    )
    return _step(
        request,
        campaign,
        form,
        lambda: services.campaign_publish(actor=actor, campaign=campaign, **form.values()),
        _("The list is published for public notice."),
        _("Publish the list"),
    )


@campaign_page
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    objection = selectors.objection_get(campaign=campaign, pk=objection_pk)
    form = forms.AnswerForm(request.POST or None, actor=actor)
    return _step(
        request,
        campaign,
        form,
        lambda: services.objection_answer(actor=actor, objection=objection, **form.values()),
        _("The objection is answered."),
        _("Answer the objection about %(name)s") % {"name": objection.entry.name},
    )


@campaign_page
@require_POST
def award(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    return button(
        request,
        lambda: services.campaign_award(actor=actor, campaign=campaign),
        _("The honours are awarded."),
        reverse("honours:campaign", args=[campaign.pk]),
        joined=True,
    )


# --- public pages -----------------------------------------------------------------------------


def notices(request: HttpRequest) -> HttpResponse:
    """Every published list (on notice or awarded), for anyone."""
    return render(
        request,
        "honours/notices.html",
        {"crumbs": [{"label": _("Published lists"), "url": None}], "campaigns": selectors.public_list()},
    )


def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """A published list: places, scores and their parts, adjustments with reasons, objections with
    their answers, and (during the notice) the form to object."""
    campaign = selectors.public_get(pk=pk)
    return render(
        request,
        "honours/notice.html",
        {
            "crumbs": [
                {"label": _("Published lists"), "url": reverse("honours:notices")},
                {"label": str(campaign), "url": None},
            ],
            "campaign": campaign,
            "criteria": list(campaign.criteria.all()),
            "entries": _entries(campaign, request.user),
            "objections": list(selectors.objection_list(campaign=campaign)),
            "open": campaign.status == CampaignStatus.NOTICE
            and campaign.notice_until is not None
            and timezone.localdate() <= campaign.notice_until,
            "honours": list(campaign.honours.order_by("rank", "holder")),
        },
    )


@require_http_methods(["GET", "POST"])
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone objects to a candidate of a list on notice."""
    campaign = selectors.public_get(pk=pk)
    entries = campaign.entries.order_by("rank", "name", "pk")
    chosen = forms.chosen_entry(entries, request.GET.get("entry"))
    form = forms.ObjectionForm(request.POST or None, actor=request.user, entries=entries, chosen=chosen)
    url = reverse("honours:notice", args=[campaign.pk])
    return step_page(
        request,
        form,
        save=lambda: services.objection_file(actor=request.user, campaign=campaign, **form.values()),
        success=_("Your objection is recorded; the answer will be shown on this list."),
        url=url,
        title=_("Object to %(campaign)s") % {"campaign": campaign},
        crumbs=[
            {"label": _("Published lists"), "url": reverse("honours:notices")},
            {"label": str(campaign), "url": url},
            {"label": _("Object"), "url": None},
        ],
    )


def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The honour's certificate as a PDF (in Chinese, as every document)."""
    honour = selectors.honour_get(actor=request.user, pk=pk)
    if honour.negative:
        from django.http import Http404

        raise Http404
    data = render_pdf("pdf/honour_certificate.html", {"honour": honour, "campaign": honour.campaign})
    return file_response(
        data, content_type="application/pdf", filename=f"honour-{honour.pk}.pdf", inline=True
    )


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("new/", campaign_create, name="campaign_create"),
    path("<int:pk>/", campaign_detail, name="campaign"),
    path("<int:pk>/criteria/new/", criterion_add, name="criterion_add"),
    path("<int:pk>/nominate/", nominate, name="nominate"),
    path("<int:pk>/entries/<int:candidate_pk>/panel/", panel_score, name="panel_score"),
    path("<int:pk>/entries/<int:candidate_pk>/adjust/", adjust, name="adjust"),
    path("<int:pk>/score/", score, name="score"),
    path("<int:pk>/publish/", publish, name="publish"),
    path("<int:pk>/objections/<int:objection_pk>/answer/", answer, name="answer"),
    path("<int:pk>/award/", award, name="award"),
    path("notices/", notices, name="notices"),
    path("notices/<int:pk>/", notice, name="notice"),
    path("notices/<int:pk>/object/", object_to, name="object"),
    path("certificates/<int:pk>.pdf", certificate, name="certificate"),
]
