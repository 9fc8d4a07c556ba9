"""Pages of the kernel: job progress and the user's notifications (the overview is in ``gongjian.home``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import notify, selectors, services
from .excel import XLSX_CONTENT_TYPE
from .jobs import job_check_alive, job_result_open
from .models import Job, NotifyMode

if TYPE_CHECKING:
    from gongjian.accounts.actor import Actor


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_check_alive(selectors.job_get(actor=request.user, pk=pk))
    template = "core/_job_progress.html" if request.headers.get("HX-Request") else "core/job.html"
    return render(request, template, {"job": job})


def job_file_response(*, actor: Actor, job: Job) -> HttpResponse | FileResponse:
    """The job's file as a download (pages and API): never cached."""
    body, name = job_result_open(actor=actor, job=job)
    response: HttpResponse | FileResponse
    if isinstance(body, Path):
        response = FileResponse(body.open("rb"), as_attachment=True, filename=name)
    else:
        response = HttpResponse(body, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    if name.endswith(".xlsx"):
        response["Content-Type"] = XLSX_CONTENT_TYPE
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def job_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    job = selectors.job_get(actor=request.user, pk=pk)
    return job_file_response(actor=request.user, job=job)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    rows = selectors.notification_list(actor=request.user, unread=unread)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {
            "page": page,
            "unread_only": unread,
            "unread_count": selectors.notification_unread_count(actor=request.user),
        },
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with ``open`` go on to the page it links to."""
    note = selectors.notification_get(actor=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=note)
    if "open" in request.POST and note.url:
        return redirect(note.url)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("core:notifications")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Per kind of event: immediately, daily digest or off (never off for what one must act on)."""
    chosen = notify.preferences_of(actor=request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        topics = {t.key for t in notify.topics()}
        modes = {key: request.POST[key] for key in topics if key in request.POST}
        try:
            count = notify.preferences_set(actor=request.user, modes=modes)
        except ValidationError as exc:
            errors = {key: " ".join(msgs) for key, msgs in exc.message_dict.items()}
            chosen.update(modes)
        else:
            if count:
                messages.success(request, _("Your notification settings are saved."))
            return redirect("core:notification_settings")
    rows = [
        {
            "key": topic.key,
            "label": topic.label,
            "act": topic.act,
            "sms": topic.sms,
            "mode": chosen.get(topic.key, NotifyMode.NOW),
            "error": errors.get(topic.key, ""),
        }
        for topic in sorted(notify.topics(), key=lambda t: (not t.act, t.key))
    ]
    return render(
        request,
        "core/notification_settings.html",
        {"rows": rows, "modes": NotifyMode.choices, "has_errors": bool(errors)},
        status=400 if errors else 200,
    )
