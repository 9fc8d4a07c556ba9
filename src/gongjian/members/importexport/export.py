"""The template and the export of a node's ledger (masked by default; a clear export with a reason,
written to the audit log), run as a job."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.core import pii
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.excel import (
    EXAMPLE_MARK,
    BookWriter,
)
from gongjian.core.jobs import (
    job_create,
    job_finish,
    job_progress,
    job_result_store,
)
from gongjian.core.levels import Level
from gongjian.core.models import Job
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.models import Area, ResidentUnit

from .. import bulk, selectors, services
from ..models import (
    ID_PURPOSE,
    PHONE_PURPOSE,
    Category,
    MemberCategory,
)
from .sheet import (
    COLUMNS,
    EDUCATIONS,
    ENUMS,
    GENDERS,
    HEADERS,
    LEDGERS,
    SHEET,
    SHEET_HELP,
    STANDINGS,
    STATUSES,
    Progress,
    example_row,
    mask_birth,
)

log = logging.getLogger(__package__)  # the package's logger, as before the split

EXPORT_JOB_KIND = "members.ledger_export"


# --- template and export --------------------------------------------------------------------


def _dropdowns(out: Any) -> None:
    for pos, col in enumerate(COLUMNS):
        enum = ENUMS.get(col.key)
        if enum is not None:
            out.dropdown(pos, enum.labels)
        elif col.key in ("hardship", "lost_contact"):
            out.dropdown(pos, ["是", "否"])


def _example_codes(actor: Actor | None) -> tuple[str, str]:
    """An organisation the actor may import members into, and a residence at community level or
    below, from the actor's own scope (the deepest first), for the template's example row."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "", ""
    scope = scope_for(actor)
    org_code = residence = ""
    orgs = org_selectors.party_org_list(actor=actor).select_related("area").order_by("-area__depth", "code")
    for org in orgs[:200]:
        if org.area_id and scope.covers_path(org.area.path):
            org_code = org.code
            if org.area.level >= Level.COMMUNITY:
                residence = org.area.code
            break
    return org_code, residence


def template_workbook(*, actor: Actor | None = None) -> bytes:
    """The ledger to fill in: headers, the code and number columns formatted as Text, lists to
    pick from for closed choices, one example row with codes from the actor's own scope (skipped
    when importing), and a 说明 sheet in plain Chinese."""
    book = BookWriter()
    out = book.sheet(SHEET)
    out.header(HEADERS, widths=[c.width for c in COLUMNS], text=[i for i, c in enumerate(COLUMNS) if c.text])
    org_code, residence = _example_codes(actor)
    out.append(example_row(org_code=org_code, residence_code=residence), style="example")
    _dropdowns(out)
    help_sheet = book.sheet(SHEET_HELP)
    for pos, width in enumerate((16, 20, 8, 90)):
        help_sheet.worksheet.set_column(pos, pos, width)
    help_sheet.append(["共建 · 党员台账导入说明"], style="title")
    for line in (
        "一个或几个工作表（如每个台账一张：直管党员、离退休党员……），有党员台账的列即导入，表名不限；列的顺序不限，不需要的非必填列可以删除。",
        "身份证号、电话和各种代码的列已设为“文本”格式：请直接输入或粘贴为“只保留文本”，不要改成“常规”或“数值”，否则 18 位号码会变成 4.30105E+17。",
        "性别、学历、党员类型、党籍状态等列可从下拉列表中选择；写成繁体或常见的别称（如“本科”“预备党员”）也能识别。",
        "末尾的合计、备注、填表人、制表日期等行会被识别并跳过；日期可写成 2018-01-31、2018/1/31 或 2018年1月31日。",
        "列名和选项可以用简体或繁体；带 * 或（必填）的列名也能识别。",
        f"以“{EXAMPLE_MARK}”开头的行是示例，导入时自动忽略，可保留或删除。",
        "导入是“全有或全无”：只要有一行有错，就一行也不导入，并返回一个标明每行错误原因的工作簿。",
        "按身份证号匹配（系统只保存加密的号码和用于查找的密钥散列）：已有的党员更新，没有的新增；内容相同的行不做改动。",
        "导出的台账中身份证号、联系电话为脱敏号码，出生日期只显示年份；原样导入表示不改，按“系统编号”匹配。",
        "只能导入您管辖范围内党组织的党员；已在其他社区（您管辖范围以外）台账中的党员会被标出，不会导入。",
        "组织关系的变更须通过“组织关系转接”办理，导入不能改变已有党员的所在党组织；导入也不会删除任何党员。",
        "台账类别写入时从导入当天起算；去掉某个类别，即从导入当天起结束该类别。",
    ):
        help_sheet.append([line])
    help_sheet.append([])
    help_sheet.append(["工作表", "列名", "必填", "说明 / 可填的值"], style="header")
    for col in COLUMNS:
        help_sheet.append([SHEET, col.header, "是" if col.required else "", col.help])
    return book.close()


def ledger_members(*, actor: Actor, area: Area) -> Any:
    """The members the ledger export of ``area`` lists: visible to the actor, membership held at
    or below ``area`` (a 404 when the actor may not see the area)."""
    area = org_selectors.area_get(actor=actor, pk=area.pk)
    return (
        selectors.member_list(actor=actor)
        .filter(org__area__path__startswith=area.path)
        .order_by("org__code", "name_key", "pk")
    )


def _open_categories(pks: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for chunk in bulk._chunks(pks):
        for member_id, category in MemberCategory.objects.filter(
            member_id__in=chunk, until__isnull=True
        ).values_list("member_id", "category"):
            out.setdefault(member_id, set()).add(category)
    return out


def _ledger_cells(categories: set[str]) -> tuple[str, str, str]:
    ledgers = "、".join(LEDGERS.label(c) for c in Category.ledgers() if c in categories)
    return (
        ledgers,
        "是" if Category.HARDSHIP in categories else "否",
        "是" if Category.LOST_CONTACT in categories else "否",
    )


@transaction.atomic
def _audit_clear_export(*, actor: Actor, area: Area, count: int, reason: str) -> None:
    audit_record(
        actor=actor,
        action=Event.PII_EXPORT,
        obj=area,
        changes={"members": count, "fields": ["id_number", "phone", "birth_date"], "sheet": SHEET},
        reason=reason,
    )


def export_ledger(
    *, actor: Actor, area: Area, clear: bool = False, reason: str = "", progress: Progress | None = None
) -> bytes:
    """The ledger of ``area`` in the import format (module docstring).

    Masked by default. ``clear=True`` needs a reason and the right to change every member in it
    (``member_change_allowed``), is refused otherwise before anything is read, and is audited.
    ``progress(done, total)`` is called as rows are written (every ``EXPORT_PROGRESS_EVERY``)."""
    qs = ledger_members(actor=actor, area=area)
    if clear:
        reason = clear_export_check(actor=actor, area=area, reason=reason)
        _audit_clear_export(actor=actor, area=area, count=qs.count(), reason=reason)
    return _ledger_workbook(qs, clear=clear, progress=progress)


def clear_export_check(*, actor: Actor, area: Area, reason: str) -> str:
    """Refuse an unmasked export without a reason, or by someone who may not change every member
    of the ledger (ValidationError, PermissionDenied); return the reason, trimmed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you need the full numbers.")})
    for member in (
        ledger_members(actor=actor, area=area).select_related("org__area").iterator(chunk_size=2000)
    ):
        if not services.member_change_allowed(actor=actor, member=member):
            raise PermissionDenied(
                _("Only someone who may change every member of this ledger can export it unmasked.")
            )
    return reason


def export_unit_ledger(*, actor: Actor, unit: ResidentUnit, progress: Progress | None = None) -> bytes:
    """The members of a resident unit (its staff, and the members its Party organisations hold) that
    the actor may see, in the import format, always masked (a 404 when the unit is not visible)."""
    qs = selectors.unit_member_list(actor=actor, unit=unit).order_by("org__code", "name_key", "pk")
    return _ledger_workbook(qs, clear=False, progress=progress)


#: Rows written between two progress reports of an export.
EXPORT_PROGRESS_EVERY = 2000


def _ledger_workbook(qs: Any, *, clear: bool, progress: Progress | None) -> bytes:
    total = qs.count() if progress is not None else 0
    if progress is not None:
        progress(0, total)
    book = BookWriter()
    out = book.sheet(SHEET)
    out.header(HEADERS, widths=[c.width for c in COLUMNS])
    fields = (
        "pk",
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "id_number_masked",
        "id_number_sealed",
        "phone_masked",
        "phone_sealed",
        "education",
        "joined_on",
        "standing",
        "status",
        "org__code",
        "residence__code",
        "work_unit__credit_code",
        "work_unit__name",
        "work_unit_name",
        "volunteer_no",
    )
    rows = qs.values_list(*fields)
    chunk: list[tuple[Any, ...]] = []
    written = 0

    def flush() -> None:
        nonlocal written
        categories = _open_categories([r[0] for r in chunk])
        for r in chunk:
            (pk, name, gender, ethnicity, birth, id_masked, id_sealed, phone_masked, phone_sealed) = r[:9]
            (education, joined, standing, status, org_code, home, unit_code, unit_name, free_name, vol) = r[
                9:
            ]
            if clear:
                id_cell = pii.unseal(id_sealed, purpose=ID_PURPOSE)
                phone_cell = pii.unseal(phone_sealed, purpose=PHONE_PURPOSE)
                birth_cell: Any = birth
            else:
                id_cell, phone_cell, birth_cell = id_masked, phone_masked, mask_birth(birth)
            ledgers, hardship, lost = _ledger_cells(categories.get(pk, set()))
            out.append(
                [
                    name,
                    GENDERS.label(gender),
                    ethnicity,
                    birth_cell,
                    id_cell,
                    phone_cell,
                    EDUCATIONS.label(education) if education else "",
                    joined,
                    STANDINGS.label(standing),
                    STATUSES.label(status),
                    org_code,
                    home or "",
                    unit_code or "",
                    unit_name or free_name,
                    ledgers,
                    hardship,
                    lost,
                    vol,
                    pk,
                ]
            )
        written += len(chunk)
        chunk.clear()
        if progress is not None:
            progress(written, max(total, written))

    for row in rows.iterator(chunk_size=2000):
        chunk.append(row)
        if len(chunk) >= EXPORT_PROGRESS_EVERY:
            flush()
    if chunk or written == 0:
        flush()
    _dropdowns(out)
    return book.close()


def export_filename(code: str, name: str, *, clear: bool = False) -> str:
    return f"{code}-{name}-党员台账{'-未脱敏' if clear else ''}.xlsx"


def ledger_export_start(
    *,
    actor: Actor,
    area: Area | None = None,
    unit: ResidentUnit | None = None,
    clear: bool = False,
    reason: str = "",
) -> Job:
    """Queue the export of a node's ledger (``area``) or of a unit's members (``unit``, masked) as
    a job; its page shows the progress and offers the file. Everything a refusal depends on (the
    scope, the reason and the right to an unmasked export) is checked here, before anything is
    queued, and again when the job runs; the unmasked export is audited (``pii.export``) when the
    job writes it."""
    if (area is None) == (unit is None):
        raise ValidationError(_("Export either a node's ledger or a unit's members."))
    params: dict[str, Any]
    if area is not None:
        area = org_selectors.area_get(actor=actor, pk=area.pk)
        params = {"area": area.pk, "label": area.name}
        if clear:
            params.update(clear=True, reason=clear_export_check(actor=actor, area=area, reason=reason))
    else:
        assert unit is not None
        if clear:
            raise PermissionDenied(_("A unit's members are exported masked."))
        unit = org_selectors.unit_get(actor=actor, pk=unit.pk)
        params = {"unit": unit.pk, "label": unit.name}
    from ..tasks import export_ledger_task

    with transaction.atomic():
        job = job_create(actor=actor, kind=EXPORT_JOB_KIND, params=params)
        transaction.on_commit(lambda: export_ledger_task.delay(job.pk))
    return job


def ledger_export_run(*, job_id: int) -> Job:
    """Run a queued export job (the Celery task calls this): progress as rows are written, then the
    workbook kept for the job's owner (sealed when unmasked). Scope and rights are checked again:
    roles may have changed since the job was queued."""
    job = Job.objects.select_related("actor").get(pk=job_id)
    if job.finished:
        return job
    params = job.params or {}
    last = {"done": -1}

    def progress(done: int, total: int) -> None:
        if done != last["done"]:
            last["done"] = done
            job_progress(job=job, done=done, total=total)

    try:
        clear = bool(params.get("clear"))
        if "unit" in params:
            unit = ResidentUnit.objects.get(pk=params["unit"])
            data = export_unit_ledger(actor=job.actor, unit=unit, progress=progress)
            name = export_filename(unit.credit_code, unit.name)
        else:
            area = Area.objects.get(pk=params["area"])
            data = export_ledger(
                actor=job.actor, area=area, clear=clear, reason=params.get("reason", ""), progress=progress
            )
            name = export_filename(area.code, area.name, clear=clear)
        path = job_result_store(job=job, data=data, download_name=name, sealed=clear)
        job_finish(job=job, ok=True, result={"exported": job.done, "clear": clear}, result_file=path)
    except (Http404, PermissionDenied, ValidationError):
        job_finish(job=job, ok=False, message="refused", result={"ok": False, "refused": True})
    except Exception:
        log.exception("ledger export job %s stopped", job.pk)
        job_finish(job=job, ok=False, message="internal error", result={"ok": False, "crashed": True})
    return job
