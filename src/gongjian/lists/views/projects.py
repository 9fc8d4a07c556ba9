"""Pages of projects, and the public project board.

Reads go through ``selectors`` and writes through ``services`` with the signed-in user as the
actor: a project outside the actor's scope is a 404 (from the selectors), a step the actor may not
take is a 403 (the services' ``*_allowed`` answers), a write the services refuse is a message on
the form. Buttons are shown from the same ``*_allowed`` answers.

The public board (``board/<area id>/``) needs no login and shows no personal data; its photos
are served by ``board/evidence/<id>/`` (public photos only). Every other evidence file is served by
``evidence/<id>/`` after the scope check: nothing is reachable under an open /media/ address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongjian.orgs.pages import within_area
from gongjian.web.crumbs import Crumb, crumbs, trail
from gongjian.web.pages import paginate, part_page, posted, step_page

from ..forms import projects as forms
from ..models import Evidence, Milestone, ProgressReport, Project
from ..selectors import projects as selectors
from ..services import projects as services

#: Content types of the evidence files, by the extension the services gave them.
EVIDENCE_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX = EVIDENCE_TYPES["xlsx"]


#: Signed in, and holding a role that reaches projects (an administrator or a unit liaison).
project_page = part_page(
    gettext_lazy("Your roles do not include projects; see the public board of your area."),
    lambda user: selectors.project_reaches(actor=user),
)


def evidence_file_response(evidence: Evidence, *, public: bool) -> FileResponse:
    """The file of a piece of evidence (photos and PDFs shown inline, Office files downloaded),
    under a neutral name; 404 when the file is missing from the storage."""
    name = str(evidence.file.name)
    ext = name.rsplit(".", 1)[-1].lower()
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    inline = evidence.kind == Evidence.Kind.PHOTO or ext == "pdf"
    response = FileResponse(
        handle,
        content_type=EVIDENCE_TYPES.get(ext, "application/octet-stream"),
        as_attachment=not inline,
        filename=f"evidence-{evidence.pk}.{ext}",
    )
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


def _crumbs(project: Project | None = None, last: str | None = None) -> list[Crumb]:
    here = (project.name, reverse("lists:project_detail", args=[project.pk])) if project else None
    base = crumbs((_("Three lists"), reverse("lists:home")), (_("Projects"), reverse("lists:project_list")))
    return trail(base, here, last)


# --- list and export ------------------------------------------------------------------------------


@project_page
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    within = within_area(request)
    filters = forms.ProjectFilterForm(request.GET or None, actor=actor)
    wanted = filters.selector_kwargs()
    rows = selectors.project_list(actor=actor, within=within, **wanted)
    return render(
        request,
        "lists/project_list.html",
        {
            "filters": filters,
            "within": within,
            "page": paginate(request, rows),
            "timing": selectors.project_timing(actor=actor, within=within, **wanted),
            "query": request.GET.urlencode(),
            "crumbs": [*_crumbs()[:1], {"label": _("Projects"), "url": None}],
        },
    )


@project_page
@require_GET
def project_export(request: HttpRequest) -> HttpResponse:
    actor = request.user
    within = within_area(request)
    wanted = forms.ProjectFilterForm(request.GET or None, actor=actor).selector_kwargs()
    data = selectors.project_export(actor=actor, within=within, **wanted)
    response = HttpResponse(data, content_type=XLSX)
    filename = f"项目清单-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


# --- a project ------------------------------------------------------------------------------------


@project_page
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = selectors.project_get(actor=actor, pk=pk)
    actions = services.project_actions_allowed(actor=actor, project=project)
    evidence = list(selectors.project_evidence(actor=actor, project=project))
    reports = list(selectors.project_reports(actor=actor, project=project))
    return render(
        request,
        "lists/project_detail.html",
        {
            "project": project,
            "actions": actions,
            "milestones": list(selectors.project_milestones(actor=actor, project=project)),
            "evidence": [(e, services.evidence_edit_allowed(actor=actor, evidence=e)) for e in evidence],
            "reports": [(r, services.report_inspect_allowed(actor=actor, report=r)) for r in reports],
            "partners": list(selectors.project_partners(actor=actor, project=project)),
            "satisfaction": selectors.satisfaction_summary(project),
            "ratings": list(selectors.project_satisfaction(actor=actor, project=project)[:50]),
            "crumbs": _crumbs(project),
        },
    )


def _project_to(request: HttpRequest, pk: int, allowed: Callable[..., bool], message: str) -> Project:
    """The project ``pk`` (404 outside the scope), when ``allowed`` (else 403 with ``message``)."""
    project = selectors.project_get(actor=request.user, pk=pk)
    if not allowed(actor=request.user, project=project):
        raise PermissionDenied(message % {"name": project.name})
    return project


def _step(
    request: HttpRequest,
    project: Project,
    form: django_forms.Form,
    *,
    save: Callable[[], Any],
    success: str,
    title: str,
    intro: str = "",
    submit_label: str = "",
) -> HttpResponse:
    return step_page(
        request,
        form,
        save=save,
        success=success,
        url=reverse("lists:project_detail", args=[project.pk]),
        title=f"{title} · {project.name}",
        crumbs=_crumbs(project, title),
        template="lists/project_form.html",
        extra={"intro": intro, "submit_label": submit_label or _("Save")},
    )


@project_page
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = _project_to(
        request, pk, services.project_edit_allowed, _("%(name)s cannot be changed by you now.")
    )
    form = forms.ProjectForm(posted(request), actor=actor, project=project)
    return _step(
        request,
        project,
        form,
        save=lambda: services.project_update(actor=actor, project=project, **form.service_kwargs()),
        success=_("Saved."),
        title=_("Plan and partners"),
    )


@project_page
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = _project_to(
        request,
        pk,
        services.project_edit_allowed,
        _("The milestones of %(name)s cannot be changed by you now."),
    )
    form = forms.MilestoneForm(posted(request))
    return _step(
        request,
        project,
        form,
        save=lambda: services.milestone_add(actor=actor, project=project, **form.service_kwargs()),
        success=_("The milestone was added; the project's percent done follows."),
        title=_("New milestone"),
        intro=_("The project's percent done is the mean of its milestones, weighted."),
    )


def _milestone_to(request: HttpRequest, pk: int) -> Milestone:
    milestone = selectors.milestone_get(actor=request.user, pk=pk)
    if not services.project_edit_allowed(actor=request.user, project=milestone.project):
        raise PermissionDenied(
            _("The milestones of %(name)s cannot be changed by you now.") % {"name": milestone.project.name}
        )
    return milestone


@project_page
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    milestone = _milestone_to(request, pk)
    form = forms.MilestoneForm(posted(request), milestone=milestone)
    return _step(
        request,
        milestone.project,
        form,
        save=lambda: services.milestone_update(actor=actor, milestone=milestone, **form.service_kwargs()),
        success=_("The milestone was saved; the project's percent done follows."),
        title=_("Milestone"),
    )


@project_page
@require_POST
def milestone_move(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _milestone_to(request, pk)
    form = forms.MilestoneMoveForm(request.POST)
    if form.is_valid():
        services.milestone_move(actor=request.user, milestone=milestone, step=form.cleaned_data["step"])
    return redirect(reverse("lists:project_detail", args=[milestone.project_id]) + "#milestones")


@project_page
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = _project_to(
        request, pk, services.evidence_add_allowed, _("You may not add evidence to %(name)s now.")
    )
    form = forms.EvidenceForm(
        posted(request), request.FILES if request.method == "POST" else None, actor=actor, project=project
    )
    return _step(
        request,
        project,
        form,
        save=lambda: services.evidence_add(actor=actor, project=project, **form.service_kwargs()),
        success=_("The evidence was added."),
        title=_("Add evidence"),
        intro=_("Photos lose their hidden data (place, camera) when they are stored."),
        submit_label=_("Upload"),
    )


@project_page
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    return evidence_file_response(selectors.evidence_get(actor=request.user, pk=pk), public=False)


@project_page
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    evidence = selectors.evidence_get(actor=actor, pk=pk)
    if not services.evidence_edit_allowed(actor=actor, evidence=evidence):
        raise PermissionDenied(
            _("You may not change the evidence of %(name)s.") % {"name": evidence.project.name}
        )
    form = forms.EvidenceEditForm(
        posted(request), initial={"caption": evidence.caption, "public": evidence.public}
    )
    return _step(
        request,
        evidence.project,
        form,
        save=lambda: services.evidence_update(actor=actor, evidence=evidence, **form.cleaned_data),
        success=_("Saved."),
        title=_("Evidence"),
    )


@project_page
def report_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = _project_to(
        request, pk, services.report_add_allowed, _("Only the lead of %(name)s reports its progress.")
    )
    form = forms.ReportForm(posted(request))
    return _step(
        request,
        project,
        form,
        save=lambda: services.report_add(actor=actor, project=project, **form.cleaned_data),
        success=_("The quarterly report was filed; the review team inspects it."),
        title=_("Quarterly progress report"),
        intro=_("One report a quarter: what was done, and how far the project has come."),
    )


@project_page
def report_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    report: ProgressReport = selectors.report_get(actor=actor, pk=pk)
    if not services.report_inspect_allowed(actor=actor, report=report):
        raise PermissionDenied(_("Only the review team of the level above inspects these reports."))
    return _step(
        request,
        report.project,
        forms.ConfirmForm(posted(request)),
        save=lambda: services.report_inspect(actor=actor, report=report),
        success=_("The report was marked inspected."),
        title=_("Inspect %(year)s Q%(quarter)s") % {"year": report.year, "quarter": report.quarter},
        intro=report.text,
        submit_label=_("Mark inspected"),
    )


@project_page
def project_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = _project_to(
        request, pk, services.project_complete_allowed, _("%(name)s cannot be completed by you now.")
    )
    form = forms.CompleteForm(
        posted(request), initial={"beneficiaries": project.beneficiaries, "hours": project.hours}
    )
    return _step(
        request,
        project,
        form,
        save=lambda: services.project_complete(actor=actor, project=project, **form.cleaned_data),
        success=_("%(name)s is done.") % {"name": project.name},
        title=_("Complete"),
        intro=_("A project is done at 100% with at least one photo or file as evidence."),
        submit_label=_("Complete the project"),
    )


@project_page
def project_rate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = _project_to(
        request, pk, services.project_rate_allowed, _("%(name)s cannot be rated by you now.")
    )
    form = forms.RateForm(posted(request))
    return _step(
        request,
        project,
        form,
        save=lambda: services.project_rate(actor=actor, project=project, **form.cleaned_data),
        success=_("The year-end rating was recorded."),
        title=_("Year-end rating"),
    )


@project_page
def project_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = _project_to(
        request, pk, services.project_close_allowed, _("%(name)s cannot be closed by you now.")
    )
    return _step(
        request,
        project,
        forms.ConfirmForm(posted(request)),
        save=lambda: services.project_close(actor=actor, project=project),
        success=_("%(name)s is closed.") % {"name": project.name},
        title=_("Close"),
        intro=_("A closed project keeps its record; nothing changes it any more."),
        submit_label=_("Close the project"),
    )


@project_page
def project_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    project = _project_to(
        request, pk, services.project_cancel_allowed, _("%(name)s cannot be cancelled by you now.")
    )
    form = forms.CancelForm(posted(request))
    return _step(
        request,
        project,
        form,
        save=lambda: services.project_cancel(actor=actor, project=project, **form.cleaned_data),
        success=_("%(name)s was cancelled.") % {"name": project.name},
        title=_("Cancel the project"),
        submit_label=_("Cancel the project"),
    )


# --- the public board -----------------------------------------------------------------------------


@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """The public project board of an area and everything below it; no login, no personal data."""
    actor = request.user
    area = selectors.board_area(actor=actor, pk=pk)
    page = selectors.board_page(actor=actor, area=area, page=request.GET.get("page"))
    may_rate = services.satisfaction_allowed_ids(actor=actor, project_ids=[p["id"] for p in page.projects])
    return render(
        request,
        "lists/board_area.html",
        {
            "area": area,
            "page": page.page,
            "projects": page.projects,
            "may_rate": may_rate,
            "rate_form": forms.SatisfactionForm(),
            "board_crumbs": selectors.board_crumbs(actor=actor, area=area),
        },
    )


@require_GET
def board_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A public photo of a project on the public board."""
    return evidence_file_response(selectors.board_evidence_get(actor=request.user, pk=pk), public=True)


@login_required
@require_POST
def board_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident's satisfaction with a finished project, from the public board."""
    project = selectors.board_project_get(actor=request.user, pk=pk)
    form = forms.SatisfactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a score from 1 to 5."))
    else:
        try:
            services.satisfaction_rate(actor=request.user, project=project, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            text = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            messages.error(request, " ".join(text))
        else:
            messages.success(request, _("Thank you for rating %(name)s.") % {"name": project.name})
    return redirect(reverse("lists:board", args=[project.area_id]) + f"#project-{project.pk}")


urlpatterns: list[URLPattern] = [
    path("projects/", project_list, name="project_list"),
    path("projects/export/", project_export, name="project_export"),
    path("projects/<int:pk>/", project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project_edit"),
    path("projects/<int:pk>/milestones/new/", milestone_add, name="milestone_add"),
    path("projects/<int:pk>/evidence/new/", evidence_add, name="evidence_add"),
    path("projects/<int:pk>/reports/new/", report_add, name="report_add"),
    path("projects/<int:pk>/complete/", project_complete, name="project_complete"),
    path("projects/<int:pk>/rate/", project_rate, name="project_rate"),
    path("projects/<int:pk>/close/", project_close, name="project_close"),
    path("projects/<int:pk>/cancel/", project_cancel, name="project_cancel"),
    path("milestones/<int:pk>/edit/", milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/move/", milestone_move, name="milestone_move"),
    path("evidence/<int:pk>/", evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/edit/", evidence_edit, name="evidence_edit"),
    path("reports/<int:pk>/inspect/", report_inspect, name="report_inspect"),
    path("board/<int:pk>/", board, name="board"),
    path("board/evidence/<int:pk>/", board_evidence, name="board_evidence"),
    path("board/projects/<int:pk>/rate/", board_rate, name="board_rate"),
]
