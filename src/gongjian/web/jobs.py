"""Pages that start a job (imports, exports): the form, then the job's progress page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gongjian.core.models import Job

#: The page that uploads a workbook to import (its texts come from the view).
IMPORT_TEMPLATE = "web/import.html"


def job_form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    start: Callable[[], Job],
    field: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A form that starts a job: on a valid POST, ``start()`` (a service) and go to the job's progress
    page; a service's ValidationError goes on ``field``; a POST that starts nothing answers 400."""
    if request.method == "POST" and form.is_valid():
        try:
            job = start()
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(field, message)
        else:
            return redirect("core:job", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


def job_button_page(
    request: HttpRequest, *, start: Callable[[], Job], template: str, context: dict[str, Any]
) -> HttpResponse:
    """GET: what the job will do and a button; POST: start the job and go to its progress page."""
    if request.method == "POST":
        return redirect("core:job", pk=start().pk)
    return render(request, template, context)
