"""What the pages of every app share: the gate of a part, paging and filters, form and step pages,
buttons, a service's refusal shown on a form or as a message, and file downloads.

Views call services and selectors; these helpers only carry the request, the form and the answer
between them. A ValidationError from a service goes on the form (or into the messages), a
PermissionDenied passes through (403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from gongjian.accounts.scope import scope_for
from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.core.keyset import Cursor, InvalidCursor, parse_cursor, rows_beyond

from .crumbs import Crumb
from .forms import is_one_of

#: Rows on one page of a list.
PAGE_SIZE = 50
#: The page of a form: title, breadcrumbs, the fields, save and cancel.
FORM_TEMPLATE = "web/form.html"

T = TypeVar("T")
#: A view (its response may be streamed: a file).
ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])


# --- gates ------------------------------------------------------------------------------------


def holds_scope(user: Any) -> bool:
    """Whether ``user`` holds a role that reaches somewhere (an administrator or a unit liaison)."""
    return not scope_for(user).empty


def part_page(
    message: str | Promise, reaches: Callable[[Any], bool] = holds_scope
) -> Callable[[ViewT], ViewT]:
    """A decorator for the pages of one part: signed in, and ``reaches(user)``, else 403 with ``message``."""

    def decorate(view: ViewT) -> ViewT:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not reaches(request.user):
                raise PermissionDenied(str(message))
            return view(request, *args, **kwargs)

        return cast(ViewT, login_required(wrapped))

    return decorate


# --- reading the request ----------------------------------------------------------------------


def paginate(
    request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], per_page: int = PAGE_SIZE
) -> Page[Any]:
    """The page of ``rows`` that ``?page=`` asks for (the last one past the end, the first if not a number)."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


class MorePage:
    """A page of a list whose total is not counted (counting the whole scope would cost what the
    city holds): the page's rows, read with one row more to know whether a next page follows.
    Quacks like Django's ``Page`` for the templates (``has_next``, ``next_page_number`` …)."""

    counted = False

    def __init__(self, rows: IdsFirst | Sequence[Any], number: int, per_page: int) -> None:
        start = (number - 1) * per_page
        fetched = list(rows[start : start + per_page + 1])
        self.object_list = fetched[:per_page]
        self.number = number
        self.more = len(fetched) > per_page
        self._start = start

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return self._start + 1 if self.object_list else 0

    def __len__(self) -> int:
        return len(self.object_list)


class IdsFirst:
    """A list read in two steps: the page's ids in the list's order (the database sorts narrow
    rows, not whole ones, to reach page 500), then those rows with what the list joins."""

    ordered = True

    def __init__(self, rows: QuerySet[Any]) -> None:
        self.rows = rows

    def __getitem__(self, part: slice) -> list[Any]:
        ids = list(self.rows.values_list("pk", flat=True)[part])
        found = {row.pk: row for row in self.rows.order_by().filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    def count(self) -> int:
        return self.rows.count()


def paginate_known(
    request: HttpRequest,
    rows: QuerySet[Any],
    total: int | None,
    per_page: int | None = None,
    *,
    keyset: bool = False,
) -> Page[Any] | MorePage | KeysetPage:
    """A page of ``rows`` without counting them: with ``total`` (an exact count already known, e.g.
    a kept figure) the numbered pages of ``paginate``; without, a page with "more" (``MorePage``).
    ``?page=`` past the end gives the last page (known total) or an empty page.

    ``keyset``: ``rows`` end their order with the primary key, so "Next"/"More" and "Previous" carry
    a cursor (``?after=<id>`` / ``?before=<id>``: the last or first row shown) and the next page is
    read from that row on through the order's index: page 500 costs what page 1 costs. A numbered
    link without a cursor still reads by offset. A cursor that names no row is a 404."""
    per_page = per_page or PAGE_SIZE
    if keyset:
        try:
            cursor = parse_cursor(request.GET)
        except InvalidCursor as exc:
            raise Http404(_("Invalid cursor.")) from exc
        if cursor is not None:
            return KeysetPage(rows, total, per_page, get_int(request, "page") or 2, cursor)
    page: Page[Any] | MorePage
    if total is not None:
        paginator: Paginator[Any] = Paginator(cast(Any, IdsFirst(rows)), per_page)
        paginator.__dict__["count"] = total  # the cached property, filled from what is known
        page = paginator.get_page(request.GET.get("page"))
    else:
        page = MorePage(IdsFirst(rows), max(get_int(request, "page") or 1, 1), per_page)
    if keyset:  # the links carry the cursors of the rows shown
        ids = [row.pk for row in page.object_list]
        page.next_after = ids[-1] if ids and page.has_next() else None  # type: ignore[union-attr]
        page.prev_before = ids[0] if ids and page.has_previous() else None  # type: ignore[union-attr]
    return page


def keyset_slice(rows: QuerySet[Any], cursor: Cursor, limit: int) -> list[Any]:
    """Up to ``limit`` rows of ``rows`` right after (or right before) the row the cursor names, in
    the list's order, read from that row's place in the order's index (no OFFSET). Http404 when
    the cursor names no row."""
    try:
        found = IdsFirst(rows_beyond(rows, cursor))[:limit]
    except InvalidCursor as exc:
        raise Http404(_("Invalid cursor.")) from exc
    return found if cursor[0] == "after" else found[::-1]


class KeysetPage:
    """A page read from a cursor (see ``paginate_known``): ``object_list`` the rows after (or before)
    the cursor's row; ``next_after`` / ``prev_before`` the cursors of its links; ``number`` the
    page's number as the link that led here says (1 when nothing precedes it). With a known
    ``total`` it also carries the numbered pages (``paginator``) and ``counted``."""

    def __init__(
        self, rows: QuerySet[Any], total: int | None, per_page: int, number: int, cursor: Cursor
    ) -> None:
        self.counted = total is not None
        fetched = keyset_slice(rows, cursor, per_page + 1)
        if cursor[0] == "after":
            self.object_list = fetched[:per_page]
            self.more, self._behind = len(fetched) > per_page, True
        else:
            self.object_list = fetched[-per_page:]
            self.more, self._behind = True, len(fetched) > per_page
        self.number = max(number, 2) if self._behind else 1
        self.paginator: Paginator[Any] | None = None
        if total is not None:
            paginator: Paginator[Any] = Paginator(cast(Any, IdsFirst(rows)), per_page)
            paginator.__dict__["count"] = total  # the cached property, filled from what is known
            self.paginator = paginator
            self.number = min(self.number, max(paginator.num_pages, 1))
        self._start = (self.number - 1) * per_page
        ids = [row.pk for row in self.object_list]
        self.next_after = ids[-1] if ids and self.more else None
        self.prev_before = ids[0] if ids and self._behind else None

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self._behind

    def has_other_pages(self) -> bool:
        return self.more or self._behind

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(self.number - 1, 1)

    def start_index(self) -> int:
        return self._start + 1 if self.object_list else 0

    def end_index(self) -> int:
        return self._start + len(self.object_list)

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def valid_filters(form: forms.Form) -> dict[str, Any]:
    """The filters that are valid (a bad one is dropped, the others still apply)."""
    form.is_valid()
    return dict(getattr(form, "cleaned_data", {}))


def get_int(request: HttpRequest, name: str) -> int | None:
    """The query parameter ``name`` as a whole number, or None when absent or not one."""
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None


def within(request: HttpRequest, get: Callable[[int], T]) -> T | None:
    """The ``within=<id>`` filter read with ``get`` (a selector: 404 outside the scope); None if absent."""
    raw = request.GET.get("within", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get(int(raw))


def url_or_none(name: str, *args: Any) -> str | None:
    """The address of the page ``name`` (with ``args``), or None while no such page exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def posted(request: HttpRequest) -> Any:
    """The posted data (even when empty: a confirmation step posts nothing), else None."""
    return request.POST if request.method == "POST" else None


# --- a service's answer -----------------------------------------------------------------------


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on a field the form has, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def service_messages(request: HttpRequest, exc: ValidationError, *, joined: bool = False) -> None:
    """Show a service's ValidationError as error messages: one each, or ``joined`` into one."""
    if joined:
        messages.error(request, " ".join(exc.messages))
        return
    for message in exc.messages:
        messages.error(request, message)


def added(obj: Any) -> str:
    """The message after a create: "<name> was added."."""
    return _("%(name)s was added.") % {"name": obj.name}


def saved(obj: Any) -> str:
    """The message after an edit: "Saved."."""
    return _("Saved.")


# --- form pages and buttons -------------------------------------------------------------------


def _save(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[], T],
    success: str | Callable[[T], str],
    done_url: Callable[[T], str],
) -> HttpResponse | None:
    """Validate ``form`` and ``save()``: the redirect after success, else None (errors on the form)."""
    if not form.is_valid():
        return None
    try:
        obj = save()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, success(obj) if callable(success) else success)
    return redirect(done_url(obj))


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], T],
    success: str | Callable[[T], str],
    done_url: Callable[[T], str],
    title: str,
    crumbs: list[Crumb],
    cancel_url: str,
    template: str = FORM_TEMPLATE,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A create/edit page: on a valid POST, ``save()`` (a service call), say ``success`` (a message,
    or a function of the saved object giving it) and redirect; else the form.

    A ValidationError from ``save`` goes on the form (which is shown again); PermissionDenied passes.
    """
    if request.method == "POST":
        done = _save(request, form, save, success, done_url)
        if done is not None:
            return done
    if not form.is_bound:
        preselect_single_choices(form)
    context = {"form": form, "title": title, "crumbs": crumbs, "cancel_url": cancel_url, **(extra or {})}
    return render(request, template, context)


def preselect_single_choices(form: forms.Form) -> None:
    """A required choice with exactly one option starts on it, on every form page alike; so does
    an optional one that is one of several alternatives (``web.forms.one_of``): an optional choice
    whose emptiness says something (e.g. "claimed online") stays empty."""
    for name, field in form.fields.items():
        if (
            not (field.required or is_one_of(field))
            or form.initial.get(name) is not None
            or field.initial is not None
        ):
            continue
        if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
            continue
        if isinstance(field, forms.ModelChoiceField):
            rows = field.queryset
            if rows is not None and rows.count() == 1:
                field.initial = rows.first()
        elif isinstance(field, forms.ChoiceField):
            choices = cast(Iterable[tuple[Any, Any]], field.choices)
            options = [value for value, label in choices if value not in ("", None)]
            flat = all(not isinstance(label, list | tuple) for _value, label in choices)
            if flat and len(options) == 1:
                field.initial = options[0]


def reveal_once(form: forms.Form, call: Callable[[dict[str, Any]], str]) -> str | None:
    """The clear value ``call`` (a service, given the cleaned data) reveals for a valid form, for this
    response only; else None, with the refusal on the form."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def page_form_post(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], T],
    success: str | Callable[[T], str],
    done_url: str,
    again: Callable[[], HttpResponse],
) -> HttpResponse:
    """A form posted from an object's own page: on success say so and go to ``done_url``; else
    ``again()``, the page shown again with the bound form and its errors."""
    done = _save(request, form, save, success, lambda obj: done_url)
    return done if done is not None else again()


def step_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], Any],
    success: str,
    url: str,
    title: str,
    crumbs: list[Crumb],
    template: str = FORM_TEMPLATE,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A step on one object: a form page that goes back to the object's page ``url``, done or cancelled."""
    return form_page(
        request,
        form,
        save=save,
        success=success,
        done_url=lambda obj: url,
        title=title,
        crumbs=crumbs,
        cancel_url=url,
        template=template,
        extra=extra,
    )


def button(
    request: HttpRequest, call: Callable[[], Any], success: str, back: str, *, joined: bool = False
) -> HttpResponse:
    """A button (POST): run the service, say what happened or why not (see ``service_messages``), go back."""
    try:
        call()
    except ValidationError as exc:
        service_messages(request, exc, joined=joined)
    else:
        messages.success(request, success)
    return redirect(back)


# --- QR codes and downloads --------------------------------------------------------------------------------


def qr_svg(url: str, *, scale: int) -> SafeString:
    """The QR code of ``url`` as inline SVG, drawn on the server (no script on the page)."""
    svg = segno.make(url, error="m").svg_inline(scale=scale, border=2, dark="#111", light="#fff")
    return mark_safe(svg)  # noqa: S308 - segno's own markup of our own URL


def file_response(
    data: bytes, *, content_type: str, filename: str, inline: bool = False, cache: str = "no-store"
) -> HttpResponse:
    """``data`` as a file named ``filename`` (shown in the browser when ``inline``, else downloaded)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or ""
    response["Cache-Control"] = cache
    return response


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """An Excel workbook as a download, never cached."""
    return file_response(data, content_type=XLSX_CONTENT_TYPE, filename=filename)
