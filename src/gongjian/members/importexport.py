"""The ledger workbook (党员台账): template, export of a node's ledger, and the all-or-nothing import.

One sheet, 党员台账, in the columns a street office keeps (headers and values in either script);
the template adds an example row and a 说明 sheet. The export of a node lists the members whose
membership is held at or below it (the ledgers the node's administrators keep and may change);
in-service members living there whose membership is held elsewhere are exported by the
organisation that holds them.

Personal data in the export: ID and phone numbers are masked by default, and so is the birth date
(year only): the masked ID keeps the first six and last four digits and the birth date is the
eight in between, so a clear birth date next to a masked ID would give the whole number away. A
clear export is for someone who may change every member in it, with a stated reason, and is
written to the audit log (``pii.export``). The column 系统编号 (the member's id) lets a masked
export be imported again: rows are matched by the ID number's blind index, or by 系统编号 when the
ID number is masked.

The import checks every row and writes nothing unless every row is good. It streams the sheet
(``core.xlsxstream``: flat memory, the parsing on a second core), checks each batch of rows with
batched look-ups (organisation, area and unit codes, the members already in the ledgers: a few
queries a batch, none per row), and writes each clean batch at once through ``members.bulk`` (one
audit entry per batch of creations and one per batch of changes), all inside one transaction.
The first bad row stops the writing; the rest is still checked, so every problem is reported at
once, and the transaction is rolled back: nothing was written. Rows equal to the ledger write
nothing and log nothing. On PostgreSQL (outside an outer transaction) the writes run on a second
thread sharing the import's connection while the checks go on, with look-ups on a connection of their
own. Progress goes to the job as batches are checked; on PostgreSQL it is saved through a second
connection, so it shows while the import runs (on SQLite, which has one writer at a time, it shows
when the import ends). ``dry_run`` checks every row the same way and writes nothing.

What the import refuses (each reported in Chinese on its row; the ID and phone numbers never echoed
and masked in the error workbook): a bad ID number, birth date or sex that does not match it,
impossible dates, unknown values, codes that do not resolve or lie outside the actor's scope,
the same person twice in the file, a change of the organisation holding a membership (a transfer
does that), and a person already in the ledgers of an organisation outside the actor's scope:
"该党员已在其他社区台账：王****党委" (the other organisation's name masked but for its first
character and its kind, so nothing beyond the fact that the person is kept elsewhere leaks).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineError

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import Scope, scope_for
from gongjian.core import pii
from gongjian.core.audit import audit_record
from gongjian.core.bulkwrite import refresh_statistics
from gongjian.core.excel import (
    EXAMPLE_MARK,
    HEADER_SEARCH_ROWS,
    REASON_HEADER,
    ROW_HEADER,
    SHEET_HEADER,
    SUMMARY_SHEET,
    BookWriter,
    CellError,
    Column,
    Enumeration,
    ExcelError,
    RowError,
    as_bool,
    as_date,
    as_int,
    as_text,
    header_key,
    open_workbook,
    unguard,
)
from gongjian.core.jobs import (
    import_job_finish,
    import_upload_start,
    job_create,
    job_finish,
    job_progress,
    job_result_store,
    job_upload_path,
)
from gongjian.core.models import Job
from gongjian.core.xlsxstream import iter_blocks, row_estimate
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit, validate_credit_code
from gongjian.stats import tally
from gongjian.stats.models import Contribution, Tally

from . import bulk, selectors, services
from .models import (
    ID_PURPOSE,
    PHONE_PURPOSE,
    Category,
    Education,
    Gender,
    Member,
    MemberCategory,
    MemberStatus,
    Standing,
)

log = logging.getLogger(__name__)

JOB_KIND = "members.ledger_import"
EXPORT_JOB_KIND = "members.ledger_export"
SHEET = "党员台账"
SHEET_ALIASES = ("党员信息", "党员花名册", "党员名册")
SHEET_HELP = "说明"
#: Rows checked together (one set of look-ups) and written together (one audit entry).
BATCH = 5000
#: Subjects (summed over the figures) whose kept figures wait before they are refreshed: gathering
#: many makes fewer tally rows to write near the root; this bounds the memory they take.
FIGURES_WAITING = 1_200_000
#: Job progress is saved once per batch.
PROGRESS_EVERY = BATCH
#: Bad rows copied into the error workbook (every error is still counted).
MAX_ERROR_ROWS = 20_000
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Files with at least this many rows are checked on a second thread (see ``_Checker``).
THREAD_MIN_ROWS = 2 * BATCH
#: After an import that wrote at least this many members, PostgreSQL's planner statistics of the
#: ledger tables are refreshed (``core.bulkwrite.refresh_statistics``).
STATISTICS_MIN_ROWS = 50_000
#: SQLite page cache during the import's write phase (KiB): index pages of a big ledger stay hot.
SQLITE_IMPORT_CACHE_KIB = 131_072
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,22}$")
_MASKED_BIRTH = re.compile(r"^(\d{4})[-/.年]?\*{1,2}[-/.月]?\*{1,2}日?$")
_SPLIT = re.compile(r"[、,，;；/\s]+")

Progress = Callable[[int, int], None]

# --- enumerations ---------------------------------------------------------------------------

GENDERS = Enumeration(
    "性别", [(Gender.MALE, "男"), (Gender.FEMALE, "女")], {"男性": Gender.MALE, "女性": Gender.FEMALE}
)
EDUCATIONS = Enumeration(
    "学历",
    [
        (Education.POSTGRADUATE, "研究生"),
        (Education.BACHELOR, "大学本科"),
        (Education.COLLEGE, "大学专科"),
        (Education.SECONDARY, "中专"),
        (Education.HIGH_SCHOOL, "高中"),
        (Education.BELOW, "初中及以下"),
    ],
    {
        "博士": Education.POSTGRADUATE,
        "博士研究生": Education.POSTGRADUATE,
        "硕士": Education.POSTGRADUATE,
        "硕士研究生": Education.POSTGRADUATE,
        "研究生及以上": Education.POSTGRADUATE,
        "本科": Education.BACHELOR,
        "大学": Education.BACHELOR,
        "大专": Education.COLLEGE,
        "专科": Education.COLLEGE,
        "中等专科": Education.SECONDARY,
        "中职": Education.SECONDARY,
        "技校": Education.SECONDARY,
        "中技": Education.SECONDARY,
        "职高": Education.HIGH_SCHOOL,
        "初中": Education.BELOW,
        "小学": Education.BELOW,
        "初中以下": Education.BELOW,
    },
)
STANDINGS = Enumeration(
    "党员类型",
    [(Standing.FULL, "正式"), (Standing.PROBATIONARY, "预备")],
    {"正式党员": Standing.FULL, "预备党员": Standing.PROBATIONARY},
)
STATUSES = Enumeration(
    "党籍状态",
    [
        (MemberStatus.NORMAL, "正常"),
        (MemberStatus.SUSPENDED, "停止党籍"),
        (MemberStatus.EXPELLED, "出党"),
        (MemberStatus.DECEASED, "去世"),
        (MemberStatus.TRANSFERRED_OUT, "转出"),
    ],
    {
        "死亡": MemberStatus.DECEASED,
        "已故": MemberStatus.DECEASED,
        "已去世": MemberStatus.DECEASED,
        "已转出": MemberStatus.TRANSFERRED_OUT,
        "开除党籍": MemberStatus.EXPELLED,
        "除名": MemberStatus.EXPELLED,
        "退党": MemberStatus.EXPELLED,
        "停止": MemberStatus.SUSPENDED,
    },
)
LEDGERS = Enumeration(
    "台账类别",
    [
        (Category.DIRECT, "直管"),
        (Category.IN_SERVICE, "在职"),
        (Category.MOBILE, "流动"),
        (Category.RETIRED, "离退休"),
    ],
    {
        "直管党员": Category.DIRECT,
        "在职党员": Category.IN_SERVICE,
        "流动党员": Category.MOBILE,
        "离退休党员": Category.RETIRED,
        "退休": Category.RETIRED,
        "离休": Category.RETIRED,
        "退休党员": Category.RETIRED,
    },
)
#: Ledgers first, then the two flags, in the order the columns show them (plain strings, as the
#: database adapters take them).
CATEGORY_ORDER: tuple[str, ...] = (
    *(str(Category(c).value) for c in Category.ledgers()),
    str(Category.HARDSHIP.value),
    str(Category.LOST_CONTACT.value),
)


def _plain_choice(value: Any) -> Any:
    """An enumeration member as its plain value (what is written is plain ``str``)."""
    return value.value if isinstance(value, Enum) else value


# --- columns --------------------------------------------------------------------------------

YES_NO = "是 或 否（空白为否）"
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, help="不超过 120 字", width=10),
    Column("gender", "性别", False, help="男 或 女；空白时取身份证号中的性别，填写时须与之一致", width=6),
    Column("ethnicity", "民族", False, help="如 汉族、土家族；空白为汉族", width=8),
    Column(
        "birth_date",
        "出生日期",
        False,
        help="如 1970-05-06；空白时取身份证号中的日期，填写时须与之一致；导出时只显示年份",
        width=12,
    ),
    Column(
        "id_number",
        "身份证号",
        True,
        aliases=("公民身份号码", "身份证号码", "身份证"),
        help="18 位，末位可为 X；按此号码匹配（系统只保存加密后的号码）；导出时为脱敏号码，原样导入表示不改",
        width=21,
    ),
    Column(
        "phone",
        "联系电话",
        False,
        aliases=("手机号码", "手机号", "联系方式"),
        help="完整号码；导出时为脱敏号码，原样导入表示不改；空白表示没有电话",
        width=14,
    ),
    Column("education", "学历", False, aliases=("文化程度",), help="、".join(EDUCATIONS.labels), width=10),
    Column("joined_on", "入党时间", True, aliases=("入党日期",), help="如 1995-07-01", width=12),
    Column("standing", "党员类型", False, help="正式 或 预备（空白为正式）", width=8),
    Column("status", "党籍状态", False, help="、".join(STATUSES.labels) + "（空白为正常）", width=8),
    Column(
        "org_code",
        "所在党组织代码",
        True,
        aliases=("党组织代码",),
        help="组织关系所在党组织的组织代码，须在您的管辖范围内；已有党员的组织关系只能通过转接变更",
        width=16,
    ),
    Column(
        "residence_code",
        "居住区划代码",
        False,
        help="居住地的区划代码（可到楼栋）；在职党员必填（社区、村或以下）",
        width=18,
    ),
    Column(
        "unit_code",
        "工作单位信用代码",
        False,
        aliases=("工作单位统一社会信用代码",),
        help="系统中已有驻区单位的统一社会信用代码；系统外的单位不填此列，只填工作单位名称",
        width=20,
    ),
    Column("unit_name", "工作单位名称", False, aliases=("工作单位",), help="不超过 120 字", width=20),
    Column(
        "categories",
        "台账类别",
        False,
        help="直管、在职、流动、离退休，可填多个，用“、”或“,”分隔；党籍状态不是正常时须为空",
        width=12,
    ),
    Column("hardship", "困难党员", False, help=YES_NO, width=8),
    Column("lost_contact", "失联党员", False, help=YES_NO, width=8),
    Column("volunteer_no", "志愿者编号", False, help="不超过 40 字", width=12),
    Column(
        "member_id",
        "系统编号",
        False,
        help="导出时填写，新增党员留空；身份证号为脱敏号码时按此编号匹配",
        width=10,
    ),
)
HEADERS = [c.header for c in COLUMNS]
_COL = {c.key: i for i, c in enumerate(COLUMNS)}
ENUMS = {"gender": GENDERS, "education": EDUCATIONS, "standing": STANDINGS, "status": STATUSES}

EXAMPLE: list[Any] = [
    f"{EXAMPLE_MARK}张某",
    "男",
    "汉族",
    "1970-05-06",
    "（18位身份证号，末位可为X）",
    "（手机号码）",
    "大学本科",
    "1995-07-01",
    "正式",
    "正常",
    "PO-430105001001",
    "430105001001-001-01",
    "",
    "某某公司",
    "直管、流动",
    "否",
    "否",
    "",
    "",
]


# --- masking --------------------------------------------------------------------------------


def mask_org_name(name: str) -> str:
    """An organisation outside the actor's scope: first character and kind (王*****党委)."""
    name = name.strip()
    if len(name) <= 3:
        return name[:1] + "*" * max(0, len(name) - 1)
    return name[0] + "*" * (len(name) - 3) + name[-2:]


def mask_birth(value: dt.date | str) -> str:
    """A birth date as the masked export shows it: the year only."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return f"{text[:4]}-**-**" if len(text) >= 4 and text[:4].isdigit() else "****"


def _mask_id_cell(text: str) -> str:
    return text if "*" in text else pii.mask_id_number(text)


def _mask_phone_cell(text: str) -> str:
    if "*" in text:
        return text
    if sum(ch.isdigit() for ch in text) < 11:
        return "*" * len(text)
    return pii.mask_phone(text)


_MASKERS: dict[str, Callable[[str], str]] = {
    "id_number": _mask_id_cell,
    "phone": _mask_phone_cell,
    "birth_date": mask_birth,
}


# --- template and export --------------------------------------------------------------------


def _dropdowns(out: Any) -> None:
    for pos, col in enumerate(COLUMNS):
        enum = ENUMS.get(col.key)
        if enum is not None:
            out.dropdown(pos, enum.labels)
        elif col.key in ("hardship", "lost_contact"):
            out.dropdown(pos, ["是", "否"])


def template_workbook() -> bytes:
    """The empty ledger to fill in: headers, one example row, and a 说明 sheet."""
    book = BookWriter()
    out = book.sheet(SHEET)
    out.header(HEADERS, widths=[c.width for c in COLUMNS])
    out.append(EXAMPLE, style="example")
    _dropdowns(out)
    help_sheet = book.sheet(SHEET_HELP)
    for pos, width in enumerate((16, 20, 8, 90)):
        help_sheet.worksheet.set_column(pos, pos, width)
    help_sheet.append(["共建 · 党员台账导入说明"], style="title")
    for line in (
        "一个工作表“党员台账”（也认“党员信息”“党员名册”）；列的顺序不限，不需要的非必填列可以删除。",
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
        action="pii.export",
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
    from .tasks import export_ledger_task

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


# --- import: result -------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did, or the errors and their workbook (nothing written)."""

    ok: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_rows: int = 0
    error_workbook: bytes | None = None
    #: where the time went: reading and checking, look-ups, writing
    seconds: dict[str, float] = field(default_factory=dict)
    #: checked only: the counts say what an import would do, nothing was written
    dry_run: bool = False

    def summary(self) -> dict[str, Any]:
        """JSON for ``Job.result``."""
        if not self.ok:
            return {"ok": False, "errors": len(self.errors), "bad_rows": self.bad_rows, "rows": self.rows}
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "sheets": [
                {
                    "sheet": "members",
                    "created": self.created,
                    "updated": self.updated,
                    "unchanged": self.unchanged,
                }
            ],
        }


# --- import: look-ups -----------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class OrgInfo:
    pk: int
    code: str
    name: str
    area_id: int
    area_path: str
    unit_id: int | None


@dataclass(slots=True, frozen=True)
class AreaInfo:
    pk: int
    code: str
    path: str
    level: int


@dataclass(slots=True)
class Existing:
    """A member already in the ledgers, as the import compares it."""

    pk: int
    index: str
    masked: str
    name: str
    gender: str
    birth: dt.date
    ethnicity: str
    education: str
    joined_on: dt.date
    standing: str
    status: str
    org_id: int
    residence_id: int | None
    work_unit_id: int | None
    work_unit_name: str
    volunteer_no: str
    phone_index: str
    phone_masked: str
    open: dict[str, int] = field(default_factory=dict)  # category -> open entry id


_EXISTING_COLUMNS = (
    "id",
    "id_number_index",
    "id_number_masked",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "joined_on",
    "standing",
    "status",
    "org_id",
    "residence_id",
    "work_unit_id",
    "work_unit_name",
    "volunteer_no",
    "phone_index",
    "phone_masked",
)


@dataclass(slots=True)
class _Batch:
    """Rows checked together: their cells column by column (a comprehension a column is several
    times faster than an object a row), and the reasons found so far, by position."""

    numbers: list[int]
    rows: list[list[Any]]
    errs: dict[int, list[str]] = field(default_factory=dict)
    skip: set[int] = field(default_factory=set)
    names: list[str] = field(default_factory=list)
    compacts: list[str] = field(default_factory=list)
    id_births: list[dt.date | None] = field(default_factory=list)
    sexes: list[str] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)
    masked_ids: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)
    births: list[dt.date | None] = field(default_factory=list)
    birth_years: list[int | None] = field(default_factory=list)
    ethnicities: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    educations: list[str] = field(default_factory=list)
    joined: list[dt.date | None] = field(default_factory=list)
    standings: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    org_codes: list[str] = field(default_factory=list)
    residence_codes: list[str] = field(default_factory=list)
    unit_codes: list[str] = field(default_factory=list)
    unit_names: list[str] = field(default_factory=list)
    categories: list[frozenset[str]] = field(default_factory=list)
    volunteer_nos: list[str] = field(default_factory=list)
    member_ids: list[int | None] = field(default_factory=list)

    def bad(self, i: int, reason: str) -> None:
        self.errs.setdefault(i, []).append(reason)


class _Memo:
    """A cell parser remembered per text (a ledger repeats a few hundred values per column):
    ``(True, value)`` or ``(False, reason)``."""

    def __init__(self, parse: Callable[[Any], Any], label: str = "") -> None:
        self.parse = parse
        self.label = label
        self.memo: dict[str, tuple[bool, Any]] = {}

    def slow(self, value: Any) -> tuple[bool, Any]:
        try:
            hit: tuple[bool, Any] = (True, self.parse(value))
        except CellError as exc:
            message = exc.message
            hit = (False, f"{self.label}：{message}" if self.label and self.label not in message else message)
        if value.__class__ is str and len(self.memo) < 200_000:
            self.memo[value] = hit
        return hit

    def column(self, values: list[Any], batch: _Batch, *, dates: bool = False) -> list[Any]:
        """The parsed column; a reason for each bad cell goes on the batch."""
        get = self.memo.get
        hits: list[Any]
        if dates:
            hits = [
                get(v) if v.__class__ is str else ((True, v) if v.__class__ is dt.date else None)
                for v in values
            ]
        else:
            hits = [get(v) if v.__class__ is str else None for v in values]
        if None in hits:
            for i, hit in enumerate(hits):
                if hit is None:
                    hits[i] = self.slow(values[i])
        for i in [i for i, hit in enumerate(hits) if not hit[0]]:
            batch.bad(i, hits[i][1])
            hits[i] = (False, None)
        return [hit[1] for hit in hits]


def _text(value: Any) -> str:
    if value.__class__ is str:
        return (unguard(value) if value[:1] == "'" else value).strip()
    return as_text(value)


def _texts(values: list[Any]) -> list[str]:
    return [v.strip() if v.__class__ is str and v[:1] != "'" else _text(v) for v in values]


def _parse_categories(value: Any) -> frozenset[str]:
    text = as_text(value)
    if not text:
        return frozenset()
    return frozenset(_plain_choice(LEDGERS.parse(part)) for part in _SPLIT.split(text) if part)


def _parse_birth(value: Any) -> dt.date | int | None:
    """A birth date, or the year of a masked one (1970-**-**)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = as_text(value)
    masked = _MASKED_BIRTH.match(text)
    if masked:
        return int(masked.group(1))
    return as_date(value)


def _date(value: Any) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else as_date(value)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


class _Reader:
    """Look-ups by one column for a whole batch, on one connection: ``= ANY(array)`` on PostgreSQL
    (one parameter, one plan), ``IN (...)`` in chunks elsewhere. Never a query per row."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pg = conn.vendor == "postgresql"

    def quote(self, name: str) -> str:
        return str(self.conn.ops.quote_name(name))

    def rows(self, sql: str, column: str, values: list[Any], cast: str) -> Iterator[tuple[Any, ...]]:
        """``sql`` ends in ``WHERE`` (or ``AND``): rows whose ``column`` is one of ``values``."""
        if not values:
            return
        with self.conn.cursor() as cur:
            if self.pg:
                cur.execute(f"{sql} {column} = ANY(%s::{cast}[])", [values])
                yield from cur.fetchall()
                return
            for start in range(0, len(values), bulk.LOOKUP_CHUNK):
                chunk = values[start : start + bulk.LOOKUP_CHUNK]
                cur.execute(f"{sql} {column} IN ({', '.join(['%s'] * len(chunk))})", chunk)
                yield from cur.fetchall()


# --- import ---------------------------------------------------------------------------------


class _Writer:
    """Runs the import's writes, in order, on a second thread that shares the import's connection
    (and so its transaction), while the first thread checks the next rows with look-ups on a
    connection of its own. Used on PostgreSQL, where the server maintains the indexes in its own
    process and psycopg waits for it without the GIL; on SQLite the writes stay on the first thread
    (sqlite3 takes the GIL back after every row, which would stall both threads). Without a thread
    the work runs in place."""

    def __init__(self, threaded: bool) -> None:
        self.threaded = threaded
        self.failure: BaseException | None = None
        if not threaded:
            return
        self.alias = DEFAULT_DB_ALIAS
        self.conn = connections[self.alias]
        self.tasks: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
        self.conn.inc_thread_sharing()
        # in a copy of this thread's context: the figures' deferred refreshes are collected there
        context = contextvars.copy_context()
        self.thread = threading.Thread(
            target=context.run, args=(self._run,), daemon=True, name="ledger-import-write"
        )
        self.thread.start()

    def _run(self) -> None:
        connections[self.alias] = self.conn
        while True:
            task = self.tasks.get()
            if task is None:
                return
            if self.failure is None:
                fn, args = task
                try:
                    fn(*args)
                except BaseException as exc:  # handed to the first thread
                    self.failure = exc

    def later(self, fn: Callable[..., Any], *args: Any) -> None:
        if not self.threaded:
            fn(*args)
            return
        if self.failure is not None:
            raise self.failure
        self.tasks.put((fn, args))

    def finish(self) -> None:
        if not self.threaded:
            return
        self.tasks.put(None)
        self.thread.join()
        self.conn.dec_thread_sharing()
        if self.failure is not None:
            raise self.failure


class _Rollback(Exception):
    """Leave the import's transaction without writing anything."""


class _Import:
    """One import (module docstring): check every row, writing each clean batch inside one
    transaction that is rolled back as soon as the import ends with a bad row."""

    def __init__(self, actor: Actor, path: Path, progress: Progress) -> None:
        self.actor = actor
        self.path = path
        self.scope: Scope = scope_for(actor)
        self.report = progress
        self.today = timezone.localdate()
        self.today_iso = self.today.isoformat()
        self.sheet = SHEET
        self.header_row = 0
        self.index: dict[str, int] = {}
        self.errors: list[RowError] = []
        self.bad_rows = 0
        self.bad_copies: list[tuple[int, list[Any]]] = []
        self.headers: list[str] = []
        self.rows = 0
        self.total = 0
        self.created = self.updated = self.unchanged = 0
        self.seconds: dict[str, float] = {"read_and_check": 0.0, "look_up": 0.0, "write": 0.0}
        #: check every row but write nothing (``import_ledger(dry_run=True)``)
        self.dry_run = False
        #: may check on one thread and write on another (not inside an outer transaction)
        self.parallel = False
        self.reader = _Reader(connection)
        self.sealer = bulk.Sealer()
        self.checker = bulk.IdChecker()
        self.names = bulk.NameKeys()
        self.org_scope = bulk._OrgScope(actor)
        self.orgs: dict[str, OrgInfo | None] = {}
        self.orgs_by_pk: dict[int, OrgInfo] = {}
        self.areas: dict[str, AreaInfo | None] = {}
        self.areas_by_path: dict[str, AreaInfo] = {}
        self.community_of: dict[int, int | None] = {}
        self.units: dict[str, tuple[int, str] | None] = {}
        self.org_ok: dict[str, bool] = {}
        self.area_ok: dict[str, bool] = {}
        self.seen: dict[bytes, int] = {}  # blind index (as 32 bytes, half the memory) -> row
        self.seen_pk: dict[int, int] = {}  # member id -> row
        self.memos = {
            "gender": _Memo(lambda v: _plain_choice(GENDERS.parse(v, default=""))),
            "education": _Memo(lambda v: _plain_choice(EDUCATIONS.parse(v, default=""))),
            "standing": _Memo(lambda v: _plain_choice(STANDINGS.parse(v, default=Standing.FULL))),
            "status": _Memo(lambda v: _plain_choice(STATUSES.parse(v, default=MemberStatus.NORMAL))),
            "categories": _Memo(_parse_categories),
            "hardship": _Memo(as_bool, "困难党员"),
            "lost_contact": _Memo(as_bool, "失联党员"),
            "joined_on": _Memo(_date, "入党时间"),
            "birth_date": _Memo(_parse_birth, "出生日期"),
        }

    # -- errors --

    def error(self, row: int, reason: str) -> None:
        self.errors.append(RowError(self.sheet, row, reason))

    def bad(self, row: int, values: list[Any], reasons: list[str]) -> None:
        self.bad_rows += 1
        for reason in dict.fromkeys(reasons):
            if len(self.errors) < 5 * MAX_ERROR_ROWS:
                self.error(row, reason)
        if len(self.bad_copies) < MAX_ERROR_ROWS:
            self.bad_copies.append((row, self._masked_copy(values)))

    def _masked_copy(self, values: list[Any]) -> list[Any]:
        cells: list[Any] = []
        maskers = {pos: _MASKERS[key] for key, pos in self.index.items() if key in _MASKERS}
        for pos, value in enumerate(values[: len(self.headers)]):
            if pos in maskers and not (value is None or value == ""):
                cells.append(maskers[pos](as_text(value)))
            elif isinstance(value, str):
                cells.append(unguard(value))
            else:
                cells.append(value)
        return cells

    # -- reading --

    def _find_header(self, first: list[tuple[int, list[Any]]]) -> None:
        lookup: dict[str, Column] = {}
        for col in COLUMNS:
            for text in (col.header, *col.aliases):
                lookup[header_key(text)] = col
        best: tuple[int, int, list[str], dict[str, int], list[str]] | None = None
        for number, values in first:
            texts = [as_text(v) for v in values]
            index: dict[str, int] = {}
            duplicate: list[str] = []
            for pos, text in enumerate(texts):
                found = lookup.get(header_key(text)) if text else None
                if found is None:
                    continue
                if found.key in index:
                    duplicate.append(found.header)
                    continue
                index[found.key] = pos
            required = sum(1 for c in COLUMNS if c.required and c.key in index)
            if best is None or required > best[0]:
                best = (required, number, texts, index, duplicate)
            if all(c.key in index for c in COLUMNS if c.required):
                break
        if best is None:
            self.error(1, "工作表是空的")
            return
        _, self.header_row, self.headers, self.index, duplicate = best
        missing = [c.header for c in COLUMNS if c.required and c.key not in self.index]
        if missing:
            self.error(self.header_row, "找不到必填的列：" + "、".join(missing))
        if duplicate:
            self.error(self.header_row, "列名重复：" + "、".join(duplicate))

    def _sheet_name(self) -> str | None:
        try:
            book = open_workbook(self.path)
        except ExcelError as exc:
            self.error(0, exc.message)
            return None
        with book:
            names = [n for n in book.sheet_names if header_key(n) != header_key(SHEET_HELP)]
            wanted = {header_key(SHEET), *(header_key(a) for a in SHEET_ALIASES)}
            for name in names:
                if header_key(name) in wanted:
                    return name
            if len(names) == 1:
                return names[0]
        self.error(0, f"找不到工作表“{SHEET}”")
        return None

    def run(self) -> None:
        """Check every row; write the clean batches as they come, in the caller's transaction."""
        name = self._sheet_name()
        if name is None:
            return
        self.sheet = name
        self.total = max(0, row_estimate(self.path, name) - 1)
        self.report(0, self.total)
        blocks = iter_blocks(self.path, name)
        threaded = self.parallel and connection.vendor == "postgresql" and self.total >= THREAD_MIN_ROWS
        side = connections.create_connection(DEFAULT_DB_ALIAS) if threaded else None
        self.reader = _Reader(side if side is not None else connection)
        db = _Writer(threaded=threaded)
        started = time.perf_counter()
        try:
            header_found = False
            width = 0
            for first, rows in blocks:
                if not header_found:
                    self._find_header(list(enumerate(rows[:HEADER_SEARCH_ROWS], start=first)))
                    if self.errors:
                        return
                    header_found = True
                    width = max(self.index.values()) + 1
                    skip = self.header_row - first + 1
                    first, rows = first + skip, rows[skip:]
                for start in range(0, len(rows), BATCH):
                    chunk = rows[start : start + BATCH]
                    numbers = [first + start + j for j, values in enumerate(chunk) if any(values)]
                    kept = [values for values in chunk if any(values)]
                    short = [i for i, values in enumerate(kept) if len(values) < width]
                    for i in short:  # trailing empty cells: pad, so every column reads by position
                        kept[i] = kept[i] + [""] * (width - len(kept[i]))
                    if kept:
                        self._batch(_Batch(numbers, kept), db)
            if not header_found:
                self.error(1, "工作表是空的")
        except ExcelError as exc:
            self.error(0, exc.message)
        except CalamineError:
            self.error(0, "文件无法读取：工作表的内容不完整或格式不正确。")
        finally:
            blocks.close()
            try:
                db.finish()
            finally:
                if side is not None:
                    side.close()
            self.seconds["read_and_check"] = time.perf_counter() - started - self.seconds["look_up"]
        self.total = self.rows
        self.report(self.rows, self.total)

    def _batch(self, b: _Batch, db: _Writer) -> None:
        self._parse(b)
        started = time.perf_counter()
        found = self._look_up(b)
        self.seconds["look_up"] += time.perf_counter() - started
        creates, updates = self._decide(b, *found)
        if not self.bad_rows and not self.dry_run and (creates or updates):
            db.later(self._write, creates, updates)
        db.later(self.report, self.rows, max(self.total, self.rows))

    def _write(self, creates: list[bulk.NewMember], updates: list[bulk.MemberChange]) -> None:
        started = time.perf_counter()
        bulk.members_insert(
            actor=self.actor,
            members=creates,
            action="member.import_create",
            scope=self.org_scope,
            checked=True,
        )
        bulk.members_bulk_update(
            actor=self.actor,
            changes=updates,
            action="member.import_update",
            scope=self.org_scope,
            on=self.today,
        )
        self.seconds["write"] += time.perf_counter() - started
        started = time.perf_counter()
        tally.settle(FIGURES_WAITING)  # the figures of what is written, a large part at a time
        self.seconds["figures"] = self.seconds.get("figures", 0.0) + time.perf_counter() - started

    # -- a batch's cells, column by column --

    def _column(self, b: _Batch, key: str) -> list[Any]:
        pos = self.index.get(key)
        if pos is None:
            return [""] * len(b.rows)
        return [values[pos] for values in b.rows]

    def _parse(self, b: _Batch) -> None:
        n = len(b.rows)
        col = self._column
        bad = b.bad
        b.names = names = _texts(col(b, "name"))
        raw_ids = col(b, "id_number")
        raw_orgs = col(b, "org_code")
        for i, name in enumerate(names):
            if not name or name.startswith(EXAMPLE_MARK) or len(name) > 120:
                if name.startswith(EXAMPLE_MARK) or not any(_text(v) for v in b.rows[i]):
                    b.skip.add(i)  # an example row, or only spaces
                elif not name:
                    bad(i, "请填写姓名")
                else:
                    bad(i, "姓名不能超过 120 个字")
            elif _text(raw_ids[i]).startswith(EXAMPLE_MARK) or _text(raw_orgs[i]).startswith(EXAMPLE_MARK):
                b.skip.add(i)
        self.rows += n - len(b.skip)

        compacts, sexes = [""] * n, [""] * n
        id_births: list[dt.date | None] = [None] * n
        indexes, masked = [""] * n, [""] * n
        check, index, today = self.checker.check, self.sealer.id_index, self.today
        for i, raw in enumerate(raw_ids):
            if raw.__class__ is not str:
                if raw.__class__ in (float, int):
                    bad(i, "身份证号须以文本格式填写（数字格式会丢失后几位）")
                    continue
                raw = _text(raw)
            text = raw.strip() if raw[:1] != "'" else _text(raw)
            if not text:
                bad(i, "请填写身份证号")
            elif "*" in text:
                masked[i] = text.upper()
            else:
                try:
                    compact, birth, sex = check(text)
                except ValidationError:
                    bad(i, "身份证号无效（应为 18 位，末位为校验码，出生日期和地区码须有效）")
                    continue
                if birth > today:
                    bad(i, "身份证号中的出生日期晚于今天")
                compacts[i], id_births[i], sexes[i], indexes[i] = compact, birth, sex, index(compact)
        b.compacts, b.id_births, b.sexes, b.indexes, b.masked_ids = (
            compacts,
            id_births,
            sexes,
            indexes,
            masked,
        )

        memos = self.memos
        b.genders = memos["gender"].column(col(b, "gender"), b)
        b.educations = memos["education"].column(col(b, "education"), b)
        b.standings = memos["standing"].column(col(b, "standing"), b)
        b.statuses = memos["status"].column(col(b, "status"), b)
        births = memos["birth_date"].column(col(b, "birth_date"), b, dates=True)
        b.births = [v if v.__class__ is dt.date else None for v in births]
        b.birth_years = [v if v.__class__ is int else None for v in births]
        raw_joined = col(b, "joined_on")
        b.joined = joined = memos["joined_on"].column(raw_joined, b, dates=True)
        for i in [i for i, v in enumerate(joined) if v is None or v > today]:
            if joined[i] is not None:
                bad(i, "入党时间不能晚于今天")
            elif _text(raw_joined[i]) == "":
                bad(i, "请填写入党时间")

        ethnicities = _texts(col(b, "ethnicity"))
        for i in [i for i, v in enumerate(ethnicities) if not v or len(v) > 20]:
            if ethnicities[i]:
                bad(i, "民族不能超过 20 个字")
            else:
                ethnicities[i] = "汉族"
        b.ethnicities = ethnicities
        b.phones = phones = _texts(col(b, "phone"))
        for i in [i for i, p in enumerate(phones) if p and not (p.isdigit() and 5 <= len(p) <= 20)]:
            phone = phones[i]
            if "*" not in phone and (
                not 5 <= sum(ch.isdigit() for ch in phone) <= 20 or not _PHONE.match(phone)
            ):
                bad(i, "联系电话格式不对（5 至 20 位数字，可有空格、+、-、括号）")  # never echo the number
        b.org_codes = org_codes = _texts(raw_orgs)
        for i in [i for i, v in enumerate(org_codes) if not v]:
            bad(i, "请填写所在党组织代码")
        b.residence_codes = _texts(col(b, "residence_code"))
        b.unit_codes = [c.upper().replace(" ", "") if c else c for c in _texts(col(b, "unit_code"))]
        b.unit_names = unit_names = _texts(col(b, "unit_name"))
        for i in [i for i, v in enumerate(unit_names) if len(v) > 120]:
            bad(i, "工作单位名称不能超过 120 个字")
        b.volunteer_nos = volunteers = _texts(col(b, "volunteer_no"))
        for i in [i for i, v in enumerate(volunteers) if len(v) > 40]:
            bad(i, "志愿者编号不能超过 40 个字")
        raw_pks = col(b, "member_id")
        member_ids: list[int | None] = [None] * n
        for i in [i for i, v in enumerate(raw_pks) if v != ""]:
            try:
                member_ids[i] = as_int(raw_pks[i], minimum=1)
            except CellError:
                bad(i, "系统编号应为导出时的编号（正整数），新增党员留空")
        b.member_ids = member_ids

        categories = memos["categories"].column(col(b, "categories"), b)
        for key, category in (("hardship", "hardship"), ("lost_contact", "lost_contact")):
            flags = memos[key].column(col(b, key), b)
            for i in [i for i, flag in enumerate(flags) if flag]:
                categories[i] = (categories[i] or frozenset()) | {category}
        b.categories = categories = [c or frozenset() for c in categories]

        statuses, genders = b.statuses, b.genders
        for i in [i for i, s in enumerate(statuses) if s and s != "normal"]:
            if categories[i]:
                bad(i, f"党籍状态为“{STATUSES.label(statuses[i])}”时，台账类别、困难党员、失联党员须为空")
        births_, years = b.births, b.birth_years
        for i, known in enumerate(id_births):
            if known is None:
                continue
            if (births_[i] is not None and births_[i] != known) or (
                years[i] is not None and years[i] != known.year
            ):
                bad(i, "出生日期与身份证号不符")
            if genders[i] and genders[i] != sexes[i]:
                bad(i, "性别与身份证号不符")

    # -- a batch's look-ups --

    def _look_up(self, b: _Batch) -> tuple[dict[str, Existing], dict[int, Existing]]:
        self._load_orgs(set(b.org_codes))
        self._load_areas(set(b.residence_codes))
        self._load_units(set(b.unit_codes))
        return self._load_members(b)

    def _org_sql(self) -> str:
        r = self.reader
        orgs, areas = r.quote(PartyOrg._meta.db_table), r.quote(Area._meta.db_table)
        return (
            f"SELECT o.id, o.code, o.name, o.area_id, a.path, o.unit_id FROM {orgs} o "  # noqa: S608
            f"JOIN {areas} a ON a.id = o.area_id WHERE"
        )

    def _load_orgs(self, codes: set[str]) -> None:
        wanted = sorted(c for c in codes if c and c not in self.orgs)
        for pk, code, name, area_id, path, unit_id in self.reader.rows(
            self._org_sql(), "o.code", wanted, "text"
        ):
            info = OrgInfo(pk, code, name, area_id, path, unit_id)
            self.orgs[code] = info
            self.orgs_by_pk[pk] = info
        for code in wanted:
            self.orgs.setdefault(code, None)

    def _load_orgs_by_pk(self, pks: set[int]) -> None:
        wanted = sorted(pk for pk in pks if pk not in self.orgs_by_pk)
        for pk, code, name, area_id, path, unit_id in self.reader.rows(
            self._org_sql(), "o.id", wanted, "bigint"
        ):
            info = OrgInfo(pk, code, name, area_id, path, unit_id)
            self.orgs.setdefault(code, info)
            self.orgs_by_pk[pk] = info

    def _load_areas(self, codes: set[str]) -> None:
        wanted = sorted(c for c in codes if c and c not in self.areas)
        found: list[AreaInfo] = []
        sql = f"SELECT id, code, path, level FROM {self.reader.quote(Area._meta.db_table)} WHERE"  # noqa: S608
        for pk, code, path, level in self.reader.rows(sql, "code", wanted, "text"):
            info = AreaInfo(pk, code, path, level)
            self.areas[code] = info
            self.areas_by_path[path] = info
            found.append(info)
        for code in wanted:
            self.areas.setdefault(code, None)
        # the community each new residence sits in (for the in-service ledger)
        steplen = Area.steplen
        ancestors = {
            a.path[:n]
            for a in found
            if a.level > Level.COMMUNITY
            for n in range(steplen, len(a.path), steplen)
            if a.path[:n] not in self.areas_by_path
        }
        for pk, code, path, level in self.reader.rows(sql, "path", sorted(ancestors), "text"):
            self.areas_by_path[path] = AreaInfo(pk, code, path, level)
        for a in found:
            community: int | None = None
            if a.level == Level.COMMUNITY:
                community = a.pk
            elif a.level > Level.COMMUNITY:
                for n in range(steplen, len(a.path), steplen):
                    up = self.areas_by_path.get(a.path[:n])
                    if up is not None and up.level == Level.COMMUNITY:
                        community = up.pk
            self.community_of[a.pk] = community

    def _load_units(self, codes: set[str]) -> None:
        wanted = sorted(c for c in codes if c and c not in self.units)
        table = self.reader.quote(ResidentUnit._meta.db_table)
        sql = f"SELECT id, credit_code, name FROM {table} WHERE"  # noqa: S608
        for pk, code, name in self.reader.rows(sql, "credit_code", wanted, "text"):
            self.units[code] = (pk, name)
        for code in wanted:
            self.units.setdefault(code, None)

    def _load_members(self, b: _Batch) -> tuple[dict[str, Existing], dict[int, Existing]]:
        r = self.reader
        table = r.quote(Member._meta.db_table)
        columns = ", ".join(r.quote(c) for c in _EXISTING_COLUMNS)
        sql = f"SELECT {columns} FROM {table} WHERE"  # noqa: S608
        found: dict[int, Existing] = {}
        indexes = sorted({i for i in b.indexes if i})
        pks = sorted({i for i in b.member_ids if i})
        for column, values, cast in (("id_number_index", indexes, "text"), ("id", pks, "bigint")):
            for row in r.rows(sql, r.quote(column), list(values), cast):
                if row[0] not in found:
                    found[row[0]] = Existing(*row)
        if found:
            for member in found.values():
                member.birth = _as_date(member.birth)
                member.joined_on = _as_date(member.joined_on)
            entries = r.quote(MemberCategory._meta.db_table)
            sql = f"SELECT member_id, category, id FROM {entries} WHERE until IS NULL AND"  # noqa: S608
            for member_id, category, entry in r.rows(sql, "member_id", sorted(found), "bigint"):
                found[member_id].open[category] = entry
            self._load_orgs_by_pk({m.org_id for m in found.values()})
        return {m.index: m for m in found.values()}, found

    # -- a batch against the ledgers --

    def _org_allowed(self, org: OrgInfo) -> bool:
        return self.scope.covers_path(org.area_path) or self.scope.covers_unit(org.unit_id)

    def _area_allowed(self, area: AreaInfo) -> bool:
        scope = self.scope
        return scope.everything or bool(scope.unit_ids) or scope.covers_path(area.path)

    def _decide(
        self, b: _Batch, by_index: dict[str, Existing], by_pk: dict[int, Existing]
    ) -> tuple[list[bulk.NewMember], list[bulk.MemberChange]]:
        creates: list[bulk.NewMember] = []
        updates: list[bulk.MemberChange] = []
        orgs, areas, units, community_of = self.orgs, self.areas, self.units, self.community_of
        org_ok, area_ok = self.org_ok, self.area_ok
        seen, today_iso = self.seen, self.today_iso
        sealer, names = self.sealer, self.names
        errs = b.errs
        for i in range(len(b.rows)):
            if i in b.skip:
                continue
            row = b.numbers[i]
            reasons = errs.get(i)
            if reasons is None:
                reasons = []
            org_code, home_code, unit_code = b.org_codes[i], b.residence_codes[i], b.unit_codes[i]
            org = orgs.get(org_code) if org_code else None
            if org_code:
                allowed = org_ok.get(org_code)
                if allowed is None:
                    allowed = org_ok[org_code] = org is not None and self._org_allowed(org)
                if not allowed:
                    reasons.append(f"所在党组织代码“{org_code}”不存在或不在您的管辖范围内")
                    org = None
            home = areas.get(home_code) if home_code else None
            home_bad = False
            if home_code:
                allowed = area_ok.get(home_code)
                if allowed is None:
                    allowed = area_ok[home_code] = home is not None and self._area_allowed(home)
                if not allowed:
                    reasons.append(f"居住区划代码“{home_code}”不存在或不在您的管辖范围内")
                    home, home_bad = None, True
            unit = units.get(unit_code) if unit_code else None
            if unit_code and unit is None:
                try:
                    validate_credit_code(unit_code)
                    reasons.append(
                        f"工作单位信用代码“{unit_code}”在系统中不存在（系统外的单位只填工作单位名称）"
                    )
                except ValidationError:
                    reasons.append(f"工作单位信用代码“{unit_code[:40]}”无效（应为 18 位，末位为校验码）")
            index, member_id = b.indexes[i], b.member_ids[i]
            existing: Existing | None = None
            if index:
                existing = by_index.get(index)
                seen_key = bytes.fromhex(index)
                first = seen.get(seen_key)
                if first is not None:
                    reasons.append(f"身份证号与第 {first} 行重复")
                else:
                    seen[seen_key] = row
                if existing is not None and member_id and member_id != existing.pk:
                    reasons.append("系统编号与身份证号不一致（新增党员的系统编号留空）")
                elif existing is None and member_id:
                    reasons.append("系统编号不存在或与身份证号不一致（新增党员的系统编号留空）")
            elif b.masked_ids[i]:
                existing = self._by_system_id(b, i, by_pk, reasons)
            if existing is not None:
                existing = self._check_existing(b, i, existing, org, reasons)
            birth = existing.birth if existing is not None else b.id_births[i]
            joined = b.joined[i]
            if joined is not None and birth is not None and joined < birth:
                reasons.append("入党时间不能早于出生日期")
            categories = b.categories[i]
            community = community_of.get(home.pk) if home is not None else None
            if "in_service" in categories and community is None and not home_bad:
                reasons.append("在职党员须填写居住区划代码（社区、村或以下）")
            phone = b.phones[i]
            if "*" in phone and (existing is None or phone != existing.phone_masked):
                reasons.append("联系电话是脱敏号码，不能导入：请填写完整号码，或保留导出时的原值")
            if reasons:
                self.bad(row, b.rows[i], reasons)
                continue
            if self.bad_rows:
                continue  # nothing will be written: only look for more errors
            assert org is not None and joined is not None
            work_unit_id = unit[0] if unit is not None else None
            work_unit_name = "" if unit is not None else b.unit_names[i]
            org_area = org.area_id
            ledger = [
                (c, community if c == "in_service" and community else org_area, today_iso)
                for c in CATEGORY_ORDER
                if c in categories
            ]
            if existing is None:
                self.created += 1
                if self.dry_run:
                    continue  # nothing to seal
                compact = b.compacts[i]
                key, letters = names(b.names[i])
                phone_sealed, phone_index, phone_masked = sealer.phone(phone)
                creates.append(
                    bulk.NewMember(
                        b.names[i],
                        key,
                        letters,
                        b.sexes[i],
                        b.ethnicities[i],
                        b.id_births[i].isoformat(),  # type: ignore[union-attr]
                        sealer.seal(compact, ID_PURPOSE),
                        index,
                        f"{compact[:6]}********{compact[-4:]}",
                        phone_sealed,
                        phone_index,
                        phone_masked,
                        b.educations[i],
                        joined.isoformat(),
                        b.standings[i],
                        b.statuses[i],
                        org.pk,
                        home.pk if home is not None else None,
                        work_unit_id,
                        work_unit_name,
                        b.volunteer_nos[i],
                        tuple(ledger),
                    )
                )
            else:
                change = self._changes(b, i, existing, home, work_unit_id, work_unit_name, ledger)
                if change is None:
                    self.unchanged += 1
                else:
                    updates.append(change)
                    self.updated += 1
        return creates, updates

    def _by_system_id(
        self, b: _Batch, i: int, by_pk: dict[int, Existing], reasons: list[str]
    ) -> Existing | None:
        """A row with a masked ID number, matched by 系统编号."""
        member_id = b.member_ids[i]
        if not member_id:
            reasons.append("身份证号是脱敏号码，不能导入：请填写完整号码，或保留导出时的系统编号")
            return None
        existing = by_pk.get(member_id)
        if existing is None or not self._org_allowed(self.orgs_by_pk[existing.org_id]):
            reasons.append("系统编号不存在或不在您的管辖范围内")
            return None
        if existing.masked != b.masked_ids[i]:
            reasons.append("身份证号（脱敏）与系统编号不一致")
            return None
        birth, year = b.births[i], b.birth_years[i]
        if (birth is not None and birth != existing.birth) or (
            year is not None and year != existing.birth.year
        ):
            reasons.append("出生日期与身份证号不符")
        if b.genders[i] and b.genders[i] != existing.gender:
            reasons.append("性别与身份证号不符")
        return existing

    def _check_existing(
        self, b: _Batch, i: int, existing: Existing, org: OrgInfo | None, reasons: list[str]
    ) -> Existing | None:
        row = b.numbers[i]
        first = self.seen_pk.get(existing.pk)
        if first is not None and first != row:
            reasons.append(f"与第 {first} 行是同一名党员")
        else:
            self.seen_pk[existing.pk] = row
        holder = self.orgs_by_pk.get(existing.org_id)
        if holder is None or not self._org_allowed(holder):
            reasons.append(f"该党员已在其他社区台账：{mask_org_name(holder.name if holder else '')}")
            return None
        if org is not None and org.pk != existing.org_id:
            reasons.append(f"不能通过导入改变所在党组织（现为“{holder.code}”）：组织关系请通过转接办理")
        return existing

    def _changes(
        self,
        b: _Batch,
        i: int,
        m: Existing,
        home: AreaInfo | None,
        work_unit_id: int | None,
        work_unit_name: str,
        ledger: list[tuple[str, int, str]],
    ) -> bulk.MemberChange | None:
        """What a row changes of a member already in the ledgers, or None."""
        fields: dict[str, Any] = {}
        audit: dict[str, Any] = {}

        def put(name: str, old: Any, new: Any, column: str | None = None) -> None:
            if old != new:
                fields[column or name] = new.isoformat() if isinstance(new, dt.date) else new
                audit[name] = [_plain(old), _plain(new)]

        name = b.names[i]
        if name != m.name:
            key, letters = self.names(name)
            fields.update(name=name, name_key=key, initials=letters)
            audit["name"] = [m.name, name]
        put("ethnicity", m.ethnicity, b.ethnicities[i])
        put("education", m.education, b.educations[i])
        put("joined_on", m.joined_on, b.joined[i])
        put("standing", m.standing, b.standings[i])
        put("status", m.status, b.statuses[i])
        put("residence", m.residence_id, home.pk if home is not None else None, "residence_id")
        put("work_unit", m.work_unit_id, work_unit_id, "work_unit_id")
        put("work_unit_name", m.work_unit_name, work_unit_name)
        put("volunteer_no", m.volunteer_no, b.volunteer_nos[i])
        phone = b.phones[i]
        if "*" not in phone:
            new_index = self.sealer.index(phone, PHONE_PURPOSE) if phone else ""
            if new_index != m.phone_index:
                sealed, new_index, masked = self.sealer.phone(phone)
                fields.update(phone_sealed=sealed, phone_index=new_index, phone_masked=masked)
                audit["phone"] = [m.phone_masked, masked]
        categories = b.categories[i]
        add = tuple(entry for entry in ledger if entry[0] not in m.open)
        end = tuple(entry for c, entry in sorted(m.open.items()) if c not in categories)
        if add or end:
            audit["categories"] = [sorted(m.open), [c for c in CATEGORY_ORDER if c in categories]]
        if not fields and not add and not end:
            return None
        return bulk.MemberChange(
            pk=m.pk,
            org_id=m.org_id,
            name=name,
            id_number_masked=m.masked,
            fields=fields,
            audit=audit,
            categories_add=add,
            categories_end=end,
        )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


class _SqlitePragmas:
    """A bigger page cache on SQLite while the import writes; restored afterwards."""

    def __enter__(self) -> None:
        self.old: int | None = None
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size")
                self.old = cur.fetchone()[0]
                cur.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")

    def __exit__(self, *exc: object) -> None:
        if self.old is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {int(self.old)}")


def _failed(job: _Import) -> ImportResult:
    return ImportResult(
        ok=False,
        rows=job.rows,
        errors=job.errors,
        bad_rows=job.bad_rows or len({e.row for e in job.errors}),
        error_workbook=_error_book(job),
        seconds=job.seconds,
    )


def _error_book(job: _Import) -> bytes:
    """The bad rows with the reasons (the layout of ``core.excel.error_workbook``), built from the
    copies taken while reading, so a big file is not read a second time; ID numbers, phones and
    birth dates masked."""
    book = BookWriter()
    summary = book.sheet(SUMMARY_SHEET)
    summary.header([SHEET_HEADER, ROW_HEADER, REASON_HEADER], widths=[14, 8, 80])
    by_row: dict[int, list[str]] = {}
    for err in job.errors:
        reasons = by_row.setdefault(err.row, [])
        if err.reason not in reasons:
            reasons.append(err.reason)
    for row in sorted(by_row):
        summary.append([job.sheet, row or "", "；".join(by_row[row])])
    listed = len({e.row for e in job.errors if e.row})
    if job.bad_rows > listed:
        summary.append(["", "", f"另有 {job.bad_rows - listed} 行有错误，未一一列出；请先改正以上各行再导入"])
    if job.bad_copies and job.headers:
        out = book.sheet(job.sheet)
        out.header(
            [ROW_HEADER, *job.headers, REASON_HEADER],
            widths=[8, *(max(10, 2 * len(h) + 4) for h in job.headers), 60],
        )
        width = len(job.headers)
        for row, cells in job.bad_copies:
            cells = (cells + [""] * width)[:width]
            out.append([row, *cells, "；".join(by_row.get(row, []))])
    return book.close()


def import_ledger(
    *, actor: Actor, path: str | Path, progress: Progress | None = None, dry_run: bool = False
) -> ImportResult:
    """Import the ledger workbook at ``path``: every row or none (module docstring).

    ``dry_run`` checks every row exactly as an import does and says what it would create, change
    and leave alone, writing nothing."""
    job = _Import(actor, Path(path), progress or (lambda done, total: None))
    job.dry_run = dry_run
    job.parallel = not connection.in_atomic_block
    with translation.override("zh-hans"):
        if job.scope.empty:
            job.error(0, "您没有导入党员台账的权限（需要区域管理员或单位联络员角色）")
            return _failed(job)
        try:
            with _SqlitePragmas(), transaction.atomic():
                # the figures of every member written are kept once, at the end, in this transaction
                with tally.deferred():
                    job.run()
                    if job.errors or job.bad_rows:
                        raise _Rollback
                    started = time.perf_counter()
                job.seconds["figures"] = job.seconds.get("figures", 0.0) + time.perf_counter() - started
                if dry_run:
                    transaction.set_rollback(True)
        except _Rollback:
            return _failed(job)
        except (ValidationError, PermissionDenied, IntegrityError) as exc:
            # The ledgers changed while the import read them: nothing was written.
            log.warning("ledger import rolled back: %s", type(exc).__name__)
            job.error(0, "导入期间台账已被修改（或有并发导入），未导入任何数据，请重新导入")
            return _failed(job)
        if not dry_run and job.parallel and job.created + job.updated >= STATISTICS_MIN_ROWS:
            refresh_statistics([Member, MemberCategory, Contribution, Tally])
        job.report(job.total, job.total)
        return ImportResult(
            ok=True,
            rows=job.rows,
            created=job.created,
            updated=job.updated,
            unchanged=job.unchanged,
            seconds=job.seconds,
            dry_run=dry_run,
        )


# --- jobs -----------------------------------------------------------------------------------


def ledger_import_allowed(*, actor: Actor) -> bool:
    return not scope_for(actor).empty


def ledger_import_start(*, actor: Actor, upload: UploadedFile, dry_run: bool = False) -> Job:
    """Keep the upload, create the job, and queue the import on commit (``dry_run``: check every
    row, write nothing)."""
    if not ledger_import_allowed(actor=actor):
        raise PermissionDenied(_("Only administrators and unit liaisons may import ledgers."))
    from .tasks import import_ledger_task

    return import_upload_start(
        actor=actor,
        upload=upload,
        kind=JOB_KIND,
        task=import_ledger_task,
        params={"dry_run": bool(dry_run)},
        max_bytes=DEFAULT_MAX_BYTES,
    )


def _live_progress_possible() -> bool:
    """A second connection can save progress while the import's transaction is open: PostgreSQL,
    with the job's row committed (SQLite has one writer at a time)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class _LiveProgress:
    """Saves the latest progress from a thread with its own database connection, so watchers see
    it while the import's transaction is still open."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.latest: tuple[int, int] | None = None
        self.wake = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True, name="import-progress")
        self.thread.start()

    def __call__(self, done: int, total: int) -> None:
        self.latest = (done, total)
        self.wake.set()

    def _run(self) -> None:
        from django.db import connection as own

        try:
            job = Job.objects.get(pk=self.job_id)
            while True:
                self.wake.wait(timeout=1.0)
                self.wake.clear()
                latest, self.latest = self.latest, None
                if latest is not None:
                    job_progress(job=job, done=latest[0], total=latest[1])
                if self.stopping and self.latest is None:
                    return
        except Exception:  # progress is a courtesy: never let it stop the import
            log.warning("ledger import progress for job %s not saved", self.job_id)
        finally:
            own.close()

    def close(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout=10)


def ledger_import_run(*, job_id: int) -> Job:
    """Run a queued import job (the Celery task calls this): progress, then the counts or the error
    workbook under MEDIA_ROOT/jobs/<id>/. The upload holds clear ID numbers: it is deleted
    afterwards, whatever happened."""
    job = Job.objects.select_related("actor").get(pk=job_id)
    if job.finished:
        return job
    last = {"done": -1}

    def progress(done: int, total: int) -> None:
        if done != last["done"]:
            last["done"] = done
            job_progress(job=job, done=done, total=total)

    progress(0, 0)
    live = _LiveProgress(job.pk) if _live_progress_possible() else None
    source: Path | None = None
    try:
        source = job_upload_path(job)
        dry_run = bool((job.params or {}).get("dry_run"))
        result = import_ledger(actor=job.actor, path=source, progress=live or progress, dry_run=dry_run)
        if live is not None:
            live.close()
            job.refresh_from_db(fields=["total", "done"])
        job.total = max(job.total, result.rows)
        import_job_finish(job=job, outcome=result)
    except Exception:
        if live is not None:
            live.close()
        log.exception("ledger import job %s stopped", job.pk)
        job_finish(
            job=job,
            ok=False,
            message="internal error; nothing was imported",
            result={"ok": False, "crashed": True},
        )
    finally:
        if source is not None:
            source.unlink(missing_ok=True)
    return job
