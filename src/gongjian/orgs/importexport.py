"""The map's workbook: template, export of a subtree, and the all-or-nothing import.

One workbook, three sheets: 区划 (areas), 党组织 (Party organisations), 驻区单位 (resident units);
the template adds a 说明 sheet with the allowed values. Headers and enumerations are written in
Chinese and read in either script.

The import validates every row before it writes anything: required fields, enumerations, codes
unique in the file, references resolvable in the file (in any order) or in the database, every
area inside the actor's scope, credit code checksums, coordinates, numbers. Look-ups are batched
(a few queries per sheet, none per row). If one row is bad nothing is written and the result
carries a workbook of the bad rows with the reasons in Chinese. Otherwise every row goes through
the map's services in one transaction, so each write is audited; rows are matched by 区划代码,
组织代码 and 统一社会信用代码, so a re-import updates, and a row equal to the database is left alone.

What an import does not do (each is reported as a row error): move an area to another parent or
change its level, move a Party organisation to another area or unit, delete anything, or change
a row outside the actor's scope. Contact phones are exported masked; a masked phone equal to the
stored one means "unchanged".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import Scope, scope_for
from gongjian.core import pii
from gongjian.core.excel import (
    EXAMPLE_MARK,
    HEADER_SYNONYMS,
    PHONE,
    PHONE_REASON,
    SUMMARY_SHEET,
    BookWriter,
    CellError,
    Column,
    Enumeration,
    ExcelError,
    Record,
    RowError,
    SheetReader,
    as_bool,
    as_date,
    as_decimal,
    as_int,
    as_text,
    blank,
    error_workbook,
    failure_summary,
    header_key,
    header_kind,
    open_workbook,
    readable,
    sheet_head,
    typed_phone,
)
from gongjian.core.jobs import (
    import_job_finish,
    import_upload_start,
    job_finish,
    job_progress,
    job_upload_path,
    upload_discard,
)
from gongjian.core.models import Job
from gongjian.core.phones import is_phone

from . import selectors, services
from .models import (
    Area,
    Level,
    PartyOrg,
    PartyOrgKind,
    ResidentUnit,
    UnitKind,
    UnitRank,
    validate_credit_code,
)

log = logging.getLogger(__name__)

JOB_KIND = "orgs.map_import"
SHEET_AREAS = "区划"
SHEET_ORGS = "党组织"
SHEET_UNITS = "驻区单位"
SHEET_HELP = "说明"
SHEET_ORDER = (SHEET_AREAS, SHEET_ORGS, SHEET_UNITS)
#: Job progress is saved every this many rows.
PROGRESS_EVERY = 500
#: Upload limit in bytes (setting ``GONGJIAN_IMPORT_MAX_BYTES``); a city ledger is tens of MB.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_CHUNK = 500
_PHONE = PHONE

Progress = Callable[[int, int], None]

# --- enumerations ---------------------------------------------------------------------------

LEVELS = Enumeration(
    "层级",
    [
        (Level.CITY, "市"),
        (Level.DISTRICT, "区县"),
        (Level.STREET, "街道镇"),
        (Level.COMMUNITY, "社区村"),
        (Level.COMPOUND, "小区网格"),
        (Level.BUILDING, "楼栋"),
    ],
    {
        "地级市": Level.CITY,
        "区": Level.DISTRICT,
        "县": Level.DISTRICT,
        "县级市": Level.DISTRICT,
        "区/县": Level.DISTRICT,
        "区(县)": Level.DISTRICT,
        "街道": Level.STREET,
        "镇": Level.STREET,
        "乡": Level.STREET,
        "街道/镇": Level.STREET,
        "街道(镇)": Level.STREET,
        "社区": Level.COMMUNITY,
        "村": Level.COMMUNITY,
        "社区/村": Level.COMMUNITY,
        "社区(村)": Level.COMMUNITY,
        "小区": Level.COMPOUND,
        "网格": Level.COMPOUND,
        "庭院": Level.COMPOUND,
        "小区/网格": Level.COMPOUND,
        "小区(网格)": Level.COMPOUND,
        "楼": Level.BUILDING,
        "楼宇": Level.BUILDING,
        **{str(int(level)): level for level in Level},
    },
)
ORG_KINDS = Enumeration(
    "党组织类别",
    [
        (PartyOrgKind.COMMITTEE, "党委"),
        (PartyOrgKind.WORKING_COMMITTEE, "党工委"),
        (PartyOrgKind.GENERAL_BRANCH, "党总支"),
        (PartyOrgKind.BRANCH, "党支部"),
        (PartyOrgKind.JOINT_BRANCH, "联合党支部"),
        (PartyOrgKind.GROUP, "党小组"),
    ],
    {
        "党总支部": PartyOrgKind.GENERAL_BRANCH,
        "总支": PartyOrgKind.GENERAL_BRANCH,
        "支部": PartyOrgKind.BRANCH,
        "联合支部": PartyOrgKind.JOINT_BRANCH,
        "工委": PartyOrgKind.WORKING_COMMITTEE,
    },
)
UNIT_KINDS = Enumeration(
    "单位类别",
    [
        (UnitKind.ORGAN, "机关"),
        (UnitKind.INSTITUTION, "事业单位"),
        (UnitKind.SOE, "国企"),
        (UnitKind.UNIVERSITY, "高校"),
        (UnitKind.HOSPITAL, "医院"),
        (UnitKind.PRIVATE, "非公企业"),
        (UnitKind.SOCIAL, "社会组织"),
    ],
    {
        "党政机关": UnitKind.ORGAN,
        "国有企业": UnitKind.SOE,
        "高等院校": UnitKind.UNIVERSITY,
        "高等学校": UnitKind.UNIVERSITY,
        "民营企业": UnitKind.PRIVATE,
        "非公有制企业": UnitKind.PRIVATE,
    },
)
UNIT_RANKS = Enumeration(
    "级别",
    [
        (UnitRank.CENTRAL, "中央"),
        (UnitRank.PROVINCIAL, "省"),
        (UnitRank.MUNICIPAL, "市"),
        (UnitRank.DISTRICT, "区"),
        (UnitRank.NONE, "无"),
    ],
    {
        "省级": UnitRank.PROVINCIAL,
        "市级": UnitRank.MUNICIPAL,
        "区级": UnitRank.DISTRICT,
        "区县": UnitRank.DISTRICT,
        "县": UnitRank.DISTRICT,
        "县级": UnitRank.DISTRICT,
        "无级别": UnitRank.NONE,
    },
)

# --- columns --------------------------------------------------------------------------------

YES_NO = "是 或 否（空白为否）"

AREA_COLUMNS: tuple[Column, ...] = (
    Column("code", "区划代码", True, help="唯一；按此代码匹配，重复导入即更新", width=16),
    Column("name", "名称", True, help="不超过 120 字", width=20),
    Column(
        "level",
        "层级",
        True,
        help="、".join(LEVELS.labels) + "（也认：区、县、街道、镇、社区、村、小区、网格）",
    ),
    Column(
        "parent_code",
        "上级代码",
        False,
        help="市级不填，其余必填；可以是本表中的行（顺序不限）或系统中已有的区划",
        width=16,
    ),
    Column("kind_label", "类别", False, help="如 区、县、街道、镇、社区、村、小区、庭院（不超过 20 字）"),
    Column("old_compound", "老旧小区", False, help=YES_NO),
    Column(
        "since",
        "起始日期",
        False,
        help="如 2018-01-01；新增时空白表示开始日期不详（自导入之日起计入，不会填入虚构日期），更新时空白表示不改",
    ),
)
ORG_COLUMNS: tuple[Column, ...] = (
    Column("code", "组织代码", True, help="唯一；按此代码匹配，重复导入即更新", width=16),
    Column("name", "名称", True, help="不超过 120 字", width=24),
    Column("kind", "类别", True, help="、".join(ORG_KINDS.labels)),
    Column(
        "area_code",
        "所在区划代码",
        False,
        help="区域党组织必填；单位党组织可不填（取其单位所在区划）",
        width=16,
    ),
    Column("unit_code", "所属单位信用代码", False, help="单位党组织填其单位的统一社会信用代码", width=22),
    Column(
        "parent_code", "上级组织代码", False, help="可以是本表中的行（顺序不限）或系统中已有的组织", width=16
    ),
    Column("secretary", "书记", False, help="姓名，不超过 60 字"),
    Column(
        "since",
        "成立日期",
        False,
        help="如 2018-01-01；新增时空白表示开始日期不详（自导入之日起计入，不会填入虚构日期），更新时空白表示不改",
    ),
)
UNIT_COLUMNS: tuple[Column, ...] = (
    Column("credit_code", "统一社会信用代码", True, help="18 位，含校验码；按此代码匹配", width=22),
    Column("name", "名称", True, help="不超过 120 字", width=24),
    Column("kind", "类别", True, help="、".join(UNIT_KINDS.labels)),
    Column("rank", "级别", False, help="、".join(UNIT_RANKS.labels) + "（空白为无）"),
    Column("area_code", "所在区划代码", True, help="本文件区划表中或系统中已有的区划", width=16),
    Column("address", "地址", False, help="不超过 255 字", width=28),
    Column("lat", "纬度", False, help="-90 至 90 之间的数字"),
    Column("lng", "经度", False, help="-180 至 180 之间的数字"),
    Column("contact_name", "联系人", False, help="不超过 60 字"),
    Column(
        "contact_phone",
        "联系电话",
        False,
        # a mobile or a landline column is this column; both in one sheet are refused, named
        aliases=("手机号码", *HEADER_SYNONYMS["手机号码"], "座机", *HEADER_SYNONYMS["座机"]),
        help="完整号码；导出时为脱敏号码，原样导入表示不改",
    ),
    Column("incubator", "孵化基地", False, help=YES_NO),
    Column("hosted_firms", "注册企业数", False, help="非负整数，空白为 0"),
    Column(
        "since",
        "入驻日期",
        False,
        help="如 2018-01-01；新增时空白表示开始日期不详（自导入之日起计入，不会填入虚构日期），更新时空白表示不改",
    ),
)
ENUMS = {
    (SHEET_AREAS, "level"): LEVELS,
    (SHEET_ORGS, "kind"): ORG_KINDS,
    (SHEET_UNITS, "kind"): UNIT_KINDS,
    (SHEET_UNITS, "rank"): UNIT_RANKS,
}
YES_NO_COLUMNS = {(SHEET_AREAS, "old_compound"), (SHEET_UNITS, "incubator")}

#: Columns typed as text: the template formats them as Text, so Excel keeps every digit.
TEXT_KEYS = frozenset({"code", "parent_code", "area_code", "unit_code", "credit_code", "contact_phone"})
AREA_COLUMNS, ORG_COLUMNS, UNIT_COLUMNS = (
    tuple(replace(c, text=c.key in TEXT_KEYS) for c in cols)
    for cols in (AREA_COLUMNS, ORG_COLUMNS, UNIT_COLUMNS)
)
COLUMNS = {SHEET_AREAS: AREA_COLUMNS, SHEET_ORGS: ORG_COLUMNS, SHEET_UNITS: UNIT_COLUMNS}


def examples(*, area_code: str = "", org_code: str = "") -> dict[str, list[Any]]:
    """One example row per sheet (skipped when importing). ``area_code`` and ``org_code`` are an
    area and an organisation of the user's own scope, so a copied row points at things that
    exist; a new area's example code continues its parent's code as the map's codes do."""
    parent = area_code or "（上级区划代码）"
    new_area = f"{area_code}099" if area_code else "（新区划的代码）"
    return {
        SHEET_AREAS: [
            f"{EXAMPLE_MARK}{new_area}",
            "示例网格（此行为示例，导入时忽略）",
            "小区网格",
            parent,
            "网格",
            "否",
            "",
        ],
        SHEET_ORGS: [
            f"{EXAMPLE_MARK}{org_code or 'PO'}-099" if org_code else f"{EXAMPLE_MARK}（新党组织的代码）",
            "示例党支部（此行为示例，导入时忽略）",
            "党支部",
            parent,
            "",
            org_code or "（上级组织代码）",
            "张某",
            "",
        ],
        SHEET_UNITS: [
            f"{EXAMPLE_MARK}（18位统一社会信用代码）",
            "示例单位（此行为示例，导入时忽略）",
            "非公企业",
            "无",
            parent,
            "示例路 1 号",
            "",
            "",
            "李某",
            "0731-88886666",
            "否",
            0,
            "",
        ],
    }


EXAMPLES = examples()


# --- result ---------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportResult:
    """What an import did: counts per sheet, or the errors and their workbook (nothing written)."""

    ok: bool
    counts: dict[str, Counts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_workbook: bytes | None = None
    rows: int = 0
    #: sheets left alone at the user's request, as the user named them
    skipped_sheets: list[str] = field(default_factory=list)

    def total(self, what: str) -> int:
        return sum(getattr(c, what) for c in self.counts.values())

    @property
    def bad_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})

    def summary(self) -> dict[str, Any]:
        """JSON for ``Job.result``."""
        if not self.ok:
            return failure_summary(self.errors, bad_rows=self.bad_rows, rows=self.rows)
        return {
            "ok": True,
            "rows": self.rows,
            "created": self.total("created"),
            "updated": self.total("updated"),
            "unchanged": self.total("unchanged"),
            "skipped_sheets": self.skipped_sheets,
            "sheets": [
                {"sheet": key, "created": c.created, "updated": c.updated, "unchanged": c.unchanged}
                for key, c in self.counts.items()
            ],
        }


# --- template and export --------------------------------------------------------------------


def _sheet_headers(out: Any, sheet: str) -> None:
    cols = COLUMNS[sheet]
    out.header(
        [c.header for c in cols],
        widths=[c.width for c in cols],
        text=[i for i, c in enumerate(cols) if c.text],
    )


def _dropdowns(out: Any, sheet: str) -> None:
    for pos, col in enumerate(COLUMNS[sheet]):
        enum = ENUMS.get((sheet, col.key))
        if enum is not None:
            out.dropdown(pos, enum.labels)
        elif (sheet, col.key) in YES_NO_COLUMNS:
            out.dropdown(pos, ["是", "否"])


def _example_codes(actor: Actor | None) -> tuple[str, str]:
    """The highest area of the actor's scope that may have children, and an organisation there."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "", ""
    area = selectors.area_list(actor=actor).filter(level__lt=Level.BUILDING).order_by("depth", "path").first()
    if area is None:
        return "", ""
    org = selectors.party_org_list(actor=actor, within=area).order_by("area__depth", "code").first()
    return area.code, org.code if org else ""


def template_workbook(*, actor: Actor | None = None) -> bytes:
    """The workbook to fill in: headers with the code and phone columns formatted as Text, lists
    to pick from for closed choices, one example row per sheet with codes from the actor's own
    scope (skipped when importing), and a 说明 sheet in plain Chinese."""
    book = BookWriter()
    area_code, org_code = _example_codes(actor)
    rows = examples(area_code=area_code, org_code=org_code)
    for sheet in SHEET_ORDER:
        out = book.sheet(sheet)
        _sheet_headers(out, sheet)
        out.append(rows[sheet], style="example")
        _dropdowns(out, sheet)
    help_sheet = book.sheet(SHEET_HELP)
    help_sheet.worksheet.set_column(0, 0, 16)
    help_sheet.worksheet.set_column(1, 1, 20)
    help_sheet.worksheet.set_column(2, 2, 8)
    help_sheet.worksheet.set_column(3, 3, 90)
    help_sheet.append(["共建 · 地图导入说明"], style="title")
    for line in (
        "一个工作簿三张表：区划、党组织、驻区单位；不需要的表可以删除。每张表按列名识别：表名、表的顺序和列的顺序不限，同一类数据也可以分在几张表里。",
        "工作簿里有其他数据的表（如统计表）时，整个文件不导入并指出是哪张表；如不需要导入，请删除该表，或在导入页勾选“跳过不是地图数据的工作表”。",
        "代码和电话的列已设为“文本”格式：请直接输入，不要改成“常规”或“数值”，否则 18 位信用代码会变成科学计数法。",
        "层级、类别、级别等列可从下拉列表中选择；写成繁体或常见的别称（如“街道”“社区”“国有企业”）也能识别。",
        "表名、列名和选项可以用简体或繁体；带 * 或（必填）的列名也能识别。",
        f"以“{EXAMPLE_MARK}”开头的行是示例，导入时自动忽略，可保留或删除。",
        "导入是“全有或全无”：只要有一行有错，就一行也不导入，并返回一个标明每行错误原因的工作簿。",
        "按区划代码、组织代码、统一社会信用代码匹配：已有的更新，没有的新增；内容相同的行不做改动。",
        "只能导入您管辖范围内的区划、党组织和单位；导入不会删除任何数据，也不能移动区划或改变其层级。",
    ):
        help_sheet.append([line])
    help_sheet.append([])
    help_sheet.append(["工作表", "列名", "必填", "说明 / 可填的值"], style="header")
    for sheet in SHEET_ORDER:
        for col in COLUMNS[sheet]:
            help_sheet.append([sheet, col.header, "是" if col.required else "", col.help])
    return book.close()


def _parent_path(path: str) -> str:
    return path[: -Area.steplen]


def export_subtree(*, actor: Actor, area: Area) -> bytes:
    """Everything the actor may see in ``area``'s subtree, in the import format. Phones are masked."""
    area = selectors.area_get(actor=actor, pk=area.pk)
    book = BookWriter()

    out = book.sheet(SHEET_AREAS)
    _sheet_headers(out, SHEET_AREAS)
    code_by_path: dict[str, str] = {}
    if area.depth > 1:
        parent = Area.objects.filter(path=_parent_path(area.path)).values_list("code", flat=True).first()
        code_by_path[_parent_path(area.path)] = parent or ""
    rows = selectors.area_list(actor=actor, within=area).values_list(
        "path", "code", "name", "level", "kind_label", "old_compound", "since", "since_known"
    )
    for path, code, name, level, kind_label, old_compound, since, known in rows.iterator(chunk_size=2000):
        code_by_path[path] = code
        parent_code = code_by_path.get(_parent_path(path), "") if len(path) > Area.steplen else ""
        out.append(
            [
                code,
                name,
                LEVELS.label(level),
                parent_code,
                kind_label,
                "是" if old_compound else "否",
                since if known else None,  # an unknown start stays unknown (blank)
            ]
        )
    _dropdowns(out, SHEET_AREAS)

    out = book.sheet(SHEET_ORGS)
    _sheet_headers(out, SHEET_ORGS)
    org_rows = selectors.party_org_list(actor=actor, within=area).values_list(
        "code",
        "name",
        "kind",
        "area__code",
        "unit__credit_code",
        "parent__code",
        "secretary",
        "since",
        "since_known",
    )
    for code, name, kind, area_code, unit_code, parent_code, secretary, since, known in org_rows.iterator(
        chunk_size=2000
    ):
        out.append(
            [
                code,
                name,
                ORG_KINDS.label(kind),
                area_code,
                unit_code or "",
                parent_code or "",
                secretary,
                since if known else None,
            ]
        )
    _dropdowns(out, SHEET_ORGS)

    out = book.sheet(SHEET_UNITS)
    _sheet_headers(out, SHEET_UNITS)
    unit_rows = selectors.unit_list(actor=actor, within=area).values_list(
        "credit_code",
        "name",
        "kind",
        "rank",
        "area__code",
        "address",
        "lat",
        "lng",
        "contact_name",
        "contact_phone_masked",
        "incubator",
        "hosted_firms",
        "since",
        "since_known",
    )
    for values in unit_rows.iterator(chunk_size=2000):
        code, name, kind, rank, area_code, address, lat, lng, contact, phone_masked, incubator, firms = (
            values[:12]
        )
        since, known = values[12:]
        out.append(
            [
                code,
                name,
                UNIT_KINDS.label(kind),
                UNIT_RANKS.label(rank),
                area_code,
                address,
                lat,
                lng,
                contact,
                phone_masked,  # never the clear number
                "是" if incubator else "否",
                firms,
                since if known else None,
            ]
        )
    _dropdowns(out, SHEET_UNITS)
    return book.close()


# --- import: the rows as read ---------------------------------------------------------------


@dataclass(slots=True)
class AreaIn:
    row: int
    sheet: str
    code: str
    name: str = ""
    level: int = 0
    parent_code: str = ""
    kind_label: str = ""
    old_compound: bool = False
    since: dt.date | None = None
    bad: bool = False


@dataclass(slots=True)
class OrgIn:
    row: int
    sheet: str
    code: str
    name: str = ""
    kind: str = ""
    area_code: str = ""
    unit_code: str = ""
    parent_code: str = ""
    secretary: str = ""
    since: dt.date | None = None
    bad: bool = False


@dataclass(slots=True)
class UnitIn:
    row: int
    sheet: str
    credit_code: str
    name: str = ""
    kind: str = ""
    rank: str = UnitRank.NONE
    area_code: str = ""
    address: str = ""
    lat: Decimal | None = None
    lng: Decimal | None = None
    contact_name: str = ""
    phone: str = ""
    incubator: bool = False
    hosted_firms: int = 0
    since: dt.date | None = None
    bad: bool = False


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted({v for v in values if v})
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _load_by(qs: QuerySet[Any], field_name: str, values: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for chunk in _chunks(values):
        for obj in qs.filter(**{f"{field_name}__in": chunk}):
            out[getattr(obj, field_name)] = obj
    return out


def _coord(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.000001"))


class _Import:
    """One import: read and validate everything, then (only if clean) write everything."""

    def __init__(self, actor: Actor, path: Path, progress: Progress) -> None:
        self.actor = actor
        self.path = path
        self.scope: Scope = scope_for(actor)
        self.report = progress
        self.errors: list[RowError] = []
        self.header_rows: dict[str, int] = {}
        self.sheet_names: dict[str, str] = {}  # kind -> the first sheet in the file holding it
        self.kinds_read: set[str] = set()
        self.reading = ""  # the sheet being read, as the user named it
        self.skip_other_sheets = False
        self.skipped_sheets: list[str] = []
        self.areas: dict[str, AreaIn] = {}
        self.orgs: dict[str, OrgIn] = {}
        self.units: dict[str, UnitIn] = {}
        self.rows = 0
        self.total = 0
        self.done = 0
        self.db_areas: dict[str, Area] = {}
        self.db_area_parent: dict[str, str] = {}
        self.db_units: dict[str, ResidentUnit] = {}
        self.db_orgs: dict[str, PartyOrg] = {}
        self.area_order: list[str] = []
        self.org_order: list[str] = []
        self.current: tuple[str, int] = ("", 0)  # the row being written, for a service's error
        self.all_areas: dict[str, Area] = {}
        self.all_units: dict[str, ResidentUnit] = {}

    # -- helpers --

    def error(self, sheet: str, row: int, reason: str) -> None:
        """A reason, with the sheet as the user named it."""
        self.errors.append(RowError(sheet, row, reason))

    def tick(self, force: bool = False) -> None:
        self.done += 1
        if force or self.done % PROGRESS_EVERY == 0:
            self.report(min(self.done, self.total), self.total)

    def covers(self, path: str) -> bool:
        return self.scope.covers_path(path)

    # -- phase 1: read -----------------------------------------------------------------------

    def read(self) -> None:
        try:
            book = open_workbook(self.path)
        except ExcelError as exc:
            self.error("", 0, exc.message)
            return
        with book:
            readers: list[tuple[str, SheetReader]] = []
            for name, kind in self._sheet_kinds(book):
                if kind is None:
                    continue
                self.sheet_names.setdefault(kind, name)
                self.kinds_read.add(kind)
                reader = SheetReader.open(book, name, COLUMNS[kind])
                self.header_rows[name] = reader.header_row
                if reader.missing:
                    self.error(
                        name,
                        reader.header_row or 1,
                        "找不到必填的列：" + "、".join(c.header for c in reader.missing),
                    )
                    continue
                if reader.duplicate:
                    self.error(name, reader.header_row, "列名重复：" + "、".join(reader.duplicate))
                    continue
                readers.append((kind, reader))
            if not self.kinds_read and not self.errors:
                self.error(
                    "",
                    0,
                    f"找不到工作表：没有一张工作表有{SHEET_AREAS}、{SHEET_ORGS}或{SHEET_UNITS}的列"
                    "（见导入模板的“说明”表）",
                )
                return
            # Two passes over the data rows, reading then writing: total counts each row twice.
            self.total = 2 * sum(r.row_estimate for _, r in readers)
            self.report(0, self.total)
            parse = {SHEET_AREAS: self._area, SHEET_ORGS: self._org, SHEET_UNITS: self._unit}
            for kind, reader in readers:
                self.reading = reader.name
                for record in reader.records():
                    self.rows += 1
                    parse[kind](record)
                    self.tick()
            self.total = 2 * self.rows
            self.done = self.rows
            self.report(self.done, self.total)

    def _sheet_kinds(self, book: Any) -> list[tuple[str, str | None]]:
        """Every sheet of the workbook, accounted for: what it holds (区划, 党组织 or 驻区单位), or
        None for a sheet to leave (empty, 说明, 错误汇总, or one the user chose to skip).

        A sheet holds what its header says, whatever its name or place (in either script, with the
        header synonyms of ``core.excel``), so 街道社区 with the areas' columns is read as areas and
        two sheets of units are both read. A sheet without such a header is taken by its name
        (区划, 党组织, 驻区单位), so that its missing columns are reported. Any other sheet with data
        fails the import, named, unless the user chose to skip such sheets."""
        ignored = {header_key(SHEET_HELP), header_key(SUMMARY_SHEET)}
        kinds: list[tuple[str, str | None]] = []
        others: list[str] = []
        for name in book.sheet_names:
            if header_key(name) in ignored:
                kinds.append((name, None))
                continue
            rows = sheet_head(book, name)
            kind = header_kind(rows, {k: COLUMNS[k] for k in SHEET_ORDER})
            if kind is None:
                kind = next((k for k in SHEET_ORDER if header_key(k) == header_key(name)), None)
            if kind is None and any(any(not blank(v) for v in r) for r in rows):
                others.append(name)
            kinds.append((name, kind))
        if not any(kind for _, kind in kinds):
            return kinds  # no map data at all: said once by the caller
        if self.skip_other_sheets:
            self.skipped_sheets = others
            return kinds
        for name in others:
            self.error(
                name,
                0,
                f"工作表“{name}”里有数据，但没有区划、党组织或驻区单位的列，所以整个文件都没有导入。"
                "如果这张表不用导入，请删除它，或在导入页勾选“跳过不是地图数据的工作表”。",
            )
        return kinds

    def _text(self, rec: Record, key: str, label: str, limit: int, errs: list[str]) -> str:
        text = as_text(rec[key])
        if len(text) > limit:
            errs.append(f"{label}不能超过 {limit} 个字")
        return text

    def _cell(self, errs: list[str], label: str, fn: Callable[[], Any], default: Any = None) -> Any:
        try:
            return fn()
        except CellError as exc:
            errs.append(f"{label}：{exc.message}" if label not in exc.message else exc.message)
            return default

    def _area(self, rec: Record) -> None:
        errs: list[str] = []
        code = self._text(rec, "code", "区划代码", 40, errs)
        item = AreaIn(row=rec.row, sheet=self.reading, code=code)
        item.name = self._text(rec, "name", "名称", 120, errs)
        if not code:
            errs.append("请填写区划代码")
        if not item.name:
            errs.append("请填写名称")
        item.level = self._cell(errs, "层级", lambda: int(LEVELS.parse(rec["level"])), 0)
        item.parent_code = self._text(rec, "parent_code", "上级代码", 40, errs)
        item.kind_label = self._text(rec, "kind_label", "类别", 20, errs)
        item.old_compound = self._cell(errs, "老旧小区", lambda: as_bool(rec["old_compound"]), False)
        item.since = self._cell(errs, "起始日期", lambda: as_date(rec["since"]))
        if code and code == item.parent_code:
            errs.append("上级代码不能是自己")
        self._keep(self.areas, code, item, errs, "区划代码")

    def _org(self, rec: Record) -> None:
        errs: list[str] = []
        code = self._text(rec, "code", "组织代码", 40, errs)
        item = OrgIn(row=rec.row, sheet=self.reading, code=code)
        item.name = self._text(rec, "name", "名称", 120, errs)
        if not code:
            errs.append("请填写组织代码")
        if not item.name:
            errs.append("请填写名称")
        item.kind = self._cell(errs, "类别", lambda: str(ORG_KINDS.parse(rec["kind"])), "")
        item.area_code = self._text(rec, "area_code", "所在区划代码", 40, errs)
        item.unit_code = as_text(rec["unit_code"]).upper().replace(" ", "")
        item.parent_code = self._text(rec, "parent_code", "上级组织代码", 40, errs)
        item.secretary = self._text(rec, "secretary", "书记", 60, errs)
        item.since = self._cell(errs, "成立日期", lambda: as_date(rec["since"]))
        if not item.area_code and not item.unit_code:
            errs.append("请填写所在区划代码或所属单位信用代码")
        if code and code == item.parent_code:
            errs.append("上级组织代码不能是自己")
        self._keep(self.orgs, code, item, errs, "组织代码")

    def _unit(self, rec: Record) -> None:
        errs: list[str] = []
        code = as_text(rec["credit_code"]).upper().replace(" ", "")
        item = UnitIn(row=rec.row, sheet=self.reading, credit_code=code)
        if not code:
            errs.append("请填写统一社会信用代码")
        else:
            try:
                validate_credit_code(code)
            except ValidationError:
                errs.append(f"统一社会信用代码“{code[:40]}”无效（应为 18 位，末位为校验码）")
        item.name = self._text(rec, "name", "名称", 120, errs)
        if not item.name:
            errs.append("请填写名称")
        item.kind = self._cell(errs, "类别", lambda: str(UNIT_KINDS.parse(rec["kind"])), "")
        item.rank = self._cell(
            errs, "级别", lambda: str(UNIT_RANKS.parse(rec["rank"], default=UnitRank.NONE)), UnitRank.NONE
        )
        item.area_code = self._text(rec, "area_code", "所在区划代码", 40, errs)
        if not item.area_code:
            errs.append("请填写所在区划代码")
        item.address = self._text(rec, "address", "地址", 255, errs)
        item.lat = self._cell(errs, "纬度", lambda: as_decimal(rec["lat"]))
        item.lng = self._cell(errs, "经度", lambda: as_decimal(rec["lng"]))
        if item.lat is not None and not Decimal(-90) <= item.lat <= Decimal(90):
            errs.append("纬度应在 -90 至 90 之间")
        if item.lng is not None and not Decimal(-180) <= item.lng <= Decimal(180):
            errs.append("经度应在 -180 至 180 之间")
        item.lat, item.lng = _coord(item.lat), _coord(item.lng)
        item.contact_name = self._text(rec, "contact_name", "联系人", 60, errs)
        item.phone = typed_phone(as_text(rec["contact_phone"]))
        if item.phone and "*" not in item.phone and not (_PHONE.match(item.phone) and is_phone(item.phone)):
            errs.append(PHONE_REASON)  # never echo the number
        item.incubator = self._cell(errs, "孵化基地", lambda: as_bool(rec["incubator"]), False)
        item.hosted_firms = (
            self._cell(errs, "注册企业数", lambda: as_int(rec["hosted_firms"], minimum=0, maximum=2**31 - 1))
            or 0
        )
        item.since = self._cell(errs, "入驻日期", lambda: as_date(rec["since"]))
        self._keep(self.units, code, item, errs, "统一社会信用代码")

    def _keep(self, store: dict[str, Any], code: str, item: Any, errs: list[str], label: str) -> None:
        if code and code in store:
            first = store[code]
            where = (
                f"第 {first.row} 行"
                if first.sheet == item.sheet
                else f"工作表“{first.sheet}”第 {first.row} 行"
            )
            errs.append(f"{label}“{code}”与{where}重复")
            code = ""
        if errs:
            item.bad = True
            for reason in errs:
                self.error(item.sheet, item.row, reason)
        if code:
            store[code] = item

    # -- phase 2: resolve against the file and the database ----------------------------------

    def resolve(self) -> None:
        self._load()
        self._resolve_areas()
        self._resolve_units()
        self._resolve_orgs()

    def _load(self) -> None:
        area_codes = set(self.areas)
        area_codes |= {a.parent_code for a in self.areas.values()}
        area_codes |= {u.area_code for u in self.units.values()}
        area_codes |= {o.area_code for o in self.orgs.values()}
        self.db_areas = _load_by(Area.objects.all(), "code", area_codes)
        parent_paths = {_parent_path(a.path): code for code, a in self.db_areas.items() if a.depth > 1}
        by_path: dict[str, str] = {}
        for chunk in _chunks(parent_paths):
            by_path.update(Area.objects.filter(path__in=chunk).values_list("path", "code"))
        self.db_area_parent = {
            code: by_path.get(_parent_path(a.path), "") for code, a in self.db_areas.items() if a.depth > 1
        }
        unit_codes = set(self.units) | {o.unit_code for o in self.orgs.values()}
        self.db_units = _load_by(ResidentUnit.objects.select_related("area"), "credit_code", unit_codes)
        org_codes = set(self.orgs) | {o.parent_code for o in self.orgs.values()}
        self.db_orgs = _load_by(PartyOrg.objects.select_related("area", "unit", "parent"), "code", org_codes)

    def _area_known(self, code: str) -> bool:
        """In the file, or in the database inside the scope."""
        if code in self.areas:
            return True
        db = self.db_areas.get(code)
        return db is not None and self.covers(db.path)

    def _area_level(self, code: str) -> int:
        if code in self.areas:
            return self.areas[code].level
        db = self.db_areas.get(code)
        return db.level if db is not None else 0

    def _resolve_areas(self) -> None:
        new_children: dict[str, list[str]] = {}
        roots: list[str] = []
        for code, a in self.areas.items():
            existing = self.db_areas.get(code)
            if existing is not None:
                roots.append(code)
                if not self.covers(existing.path):
                    self.error(a.sheet, a.row, f"区划代码“{code}”已被您管辖范围以外的区划使用，不能修改")
                    continue
                if a.level and a.level != existing.level:
                    self.error(
                        a.sheet,
                        a.row,
                        f"不能通过导入改变区划的层级（现为{LEVELS.label(existing.level)}）",
                    )
                self._keep_start(SHEET_AREAS, a.row, existing, a.since, "起始日期")
                current_parent = self.db_area_parent.get(code, "")
                if a.parent_code != current_parent:
                    self.error(
                        a.sheet,
                        a.row,
                        f"不能通过导入移动区划：现在的上级代码是“{current_parent}”"
                        if current_parent
                        else "不能通过导入给市级区划设上级",
                    )
                continue
            if a.level == Level.CITY:
                roots.append(code)
                if a.parent_code:
                    self.error(a.sheet, a.row, "市级区划不填上级代码")
                if not self.scope.everything:
                    self.error(a.sheet, a.row, "只有平台管理员可以新增市级区划")
                continue
            if not a.parent_code:
                if a.level:
                    self.error(a.sheet, a.row, "请填写上级代码（只有市级区划没有上级）")
                continue
            if not self._area_known(a.parent_code):
                self.error(a.sheet, a.row, f"上级代码“{a.parent_code}”不存在或不在您的管辖范围内")
                continue
            parent_level = self._area_level(a.parent_code)
            if a.level and parent_level and a.level <= parent_level:
                self.error(
                    a.sheet,
                    a.row,
                    f"层级“{LEVELS.label(a.level)}”须低于上级的层级“{LEVELS.label(parent_level)}”",
                )
            parent_in_file = self.areas.get(a.parent_code)
            if parent_in_file is not None and a.parent_code not in self.db_areas:
                new_children.setdefault(a.parent_code, []).append(code)
            else:
                roots.append(code)
        # Parents before children: walk down from the rows anchored outside the new rows.
        order: list[str] = []
        seen: set[str] = set()
        stack = list(reversed(roots))
        while stack:
            code = stack.pop()
            if code in seen:
                continue
            seen.add(code)
            order.append(code)
            stack.extend(reversed(new_children.get(code, [])))
        new_in_file = {c for c in self.areas if c not in self.db_areas}
        for code in sorted(new_in_file - seen, key=lambda c: self.areas[c].row):
            walk: set[str] = set()
            cur = code
            while cur in new_in_file and cur not in walk:
                walk.add(cur)
                cur = self.areas[cur].parent_code
            if cur in walk:  # otherwise an ancestor has its own error
                self.error(
                    self.areas[code].sheet, self.areas[code].row, "上级代码形成循环，找不到已有的上级区划"
                )
        self.area_order = order

    def _keep_start(self, sheet: str, row: int, existing: Any, since: dt.date | None, label: str) -> None:
        """An import never moves a recorded start (that would rewrite figures already reported): a
        different date is a row error pointing to 更正历史, where a correction is made with a reason
        and audited. A blank cell keeps the start; the same date (also the day an unknown start was
        recorded) changes nothing."""
        if since is None or since == existing.since:
            return
        recorded = (
            existing.since.isoformat()
            if existing.since_known
            else f"登记于 {existing.since.isoformat()}（开始日期不详）"
        )
        self.error(
            sheet,
            row,
            f"{label}与已登记的不同（{recorded}）：导入不改变开始日期，请在该记录页面用“更正历史”并说明理由",
        )

    def _resolve_units(self) -> None:
        for code, u in self.units.items():
            existing = self.db_units.get(code)
            if existing is not None and not self.covers(existing.area.path):
                self.error(u.sheet, u.row, f"统一社会信用代码“{code}”已登记在您管辖范围以外的单位，不能修改")
                continue
            if existing is not None:
                self._keep_start(SHEET_UNITS, u.row, existing, u.since, "入驻日期")
            if u.area_code and not self._area_known(u.area_code):
                self.error(u.sheet, u.row, f"所在区划代码“{u.area_code}”不存在或不在您的管辖范围内")
            if "*" in u.phone and (existing is None or u.phone != existing.contact_phone_masked):
                self.error(
                    u.sheet,
                    u.row,
                    "联系电话是脱敏号码，不能导入：请填写完整号码，或保留导出时的原值",
                )

    def _unit_area_code(self, unit_code: str) -> str:
        if unit_code in self.units:
            return self.units[unit_code].area_code
        db = self.db_units.get(unit_code)
        return db.area.code if db is not None else ""

    def _org_visible(self, org: PartyOrg) -> bool:
        return self.covers(org.area.path) or self.scope.covers_unit(org.unit_id)

    def _resolve_orgs(self) -> None:
        for code, o in self.orgs.items():
            existing = self.db_orgs.get(code)
            if existing is not None and not self._org_visible(existing):
                self.error(o.sheet, o.row, f"组织代码“{code}”已被您管辖范围以外的党组织使用，不能修改")
                continue
            if o.unit_code:
                unit_db = self.db_units.get(o.unit_code)
                if o.unit_code not in self.units and (unit_db is None or not self.covers(unit_db.area.path)):
                    self.error(o.sheet, o.row, f"所属单位信用代码“{o.unit_code}”不存在或不在您的管辖范围内")
                else:
                    unit_area = self._unit_area_code(o.unit_code)
                    if o.area_code and unit_area and o.area_code != unit_area:
                        self.error(
                            o.sheet, o.row, f"单位党组织的所在区划须与其单位一致（单位在“{unit_area}”）"
                        )
            elif o.area_code and not self._area_known(o.area_code):
                self.error(o.sheet, o.row, f"所在区划代码“{o.area_code}”不存在或不在您的管辖范围内")
            if existing is not None:
                self._keep_start(SHEET_ORGS, o.row, existing, o.since, "成立日期")
                current_unit = existing.unit.credit_code if existing.unit else ""
                if o.unit_code != current_unit:
                    self.error(o.sheet, o.row, "不能通过导入改变党组织的所属单位")
                elif not current_unit and o.area_code and o.area_code != existing.area.code:
                    self.error(
                        o.sheet,
                        o.row,
                        f"不能通过导入移动党组织（现在所在区划代码是“{existing.area.code}”）",
                    )
            if o.parent_code:
                parent = self.db_orgs.get(o.parent_code)
                unchanged = (
                    existing is not None
                    and existing.parent is not None
                    and existing.parent.code == o.parent_code
                )
                if parent is not None:
                    hidden = not unchanged and not self._org_visible(parent)
                else:
                    hidden = o.parent_code not in self.orgs
                if hidden:
                    self.error(o.sheet, o.row, f"上级组织代码“{o.parent_code}”不存在或不在您的管辖范围内")
        self._org_cycles()

    def _org_cycles(self) -> None:
        """The parent chain, with the file's rows in place of the database's, must not loop."""
        parent_of: dict[str, str] = {code: o.parent_code for code, o in self.orgs.items()}
        frontier = {p for p in parent_of.values() if p and p not in parent_of}
        while frontier:
            found: dict[str, str] = {}
            for chunk in _chunks(frontier):
                found.update(
                    (c, p or "")
                    for c, p in PartyOrg.objects.filter(code__in=chunk).values_list("code", "parent__code")
                )
            for c in frontier:
                parent_of.setdefault(c, found.get(c, ""))
            frontier = {p for p in found.values() if p and p not in parent_of}
        state: dict[str, int] = {}  # 1 on the current path, 2 done
        order: list[str] = []
        for start in self.orgs:
            if state.get(start):
                continue
            path: list[str] = []
            code = start
            while code and not state.get(code):
                state[code] = 1
                path.append(code)
                code = parent_of.get(code, "")
            if code and state.get(code) == 1:
                loop = path[path.index(code) :]
                for member in loop:
                    if member in self.orgs:
                        self.error(self.orgs[member].sheet, self.orgs[member].row, "上级组织代码形成循环")
            for member in reversed(path):
                state[member] = 2
                if member in self.orgs:
                    order.append(member)
        self.org_order = order

    # -- phase 3: write ----------------------------------------------------------------------

    def write(self) -> dict[str, Counts]:
        counts = {"areas": Counts(), "party_orgs": Counts(), "units": Counts()}
        self._write_areas(counts["areas"])
        self._write_units(counts["units"])
        self._write_orgs(counts["party_orgs"])
        return {k: c for k, c in counts.items() if c.total or self._has_sheet(k)}

    def _has_sheet(self, key: str) -> bool:
        sheet = {"areas": SHEET_AREAS, "party_orgs": SHEET_ORGS, "units": SHEET_UNITS}[key]
        return sheet in self.kinds_read

    def _write_areas(self, counts: Counts) -> None:
        areas = dict(self.db_areas)
        for code in self.area_order:
            a = self.areas[code]
            self.current = (a.sheet, a.row)
            existing = self.db_areas.get(code)
            if existing is None:
                areas[code] = services.area_create(
                    actor=self.actor,
                    parent=areas[a.parent_code] if a.parent_code else None,
                    name=a.name,
                    level=a.level,
                    code=code,
                    kind_label=a.kind_label,
                    old_compound=a.old_compound,
                    since=a.since,
                )
                counts.created += 1
            else:
                wanted: dict[str, Any] = {
                    "name": a.name,
                    "kind_label": a.kind_label,
                    "old_compound": a.old_compound,
                }
                if a.since is not None:
                    wanted["since"] = a.since
                changes = _changed(existing, wanted)
                if changes:
                    areas[code] = services.area_update(actor=self.actor, area=existing, **changes)
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            self.tick()
        self.all_areas = areas

    def _write_units(self, counts: Counts) -> None:
        areas = self.all_areas
        units = dict(self.db_units)
        for code, u in self.units.items():
            self.current = (u.sheet, u.row)
            existing = self.db_units.get(code)
            area = areas[u.area_code]
            if existing is None:
                units[code] = services.unit_create(
                    actor=self.actor,
                    name=u.name,
                    credit_code=code,
                    kind=u.kind,
                    area=area,
                    rank=u.rank,
                    address=u.address,
                    lat=u.lat,
                    lng=u.lng,
                    contact_name=u.contact_name,
                    contact_phone=u.phone,
                    incubator=u.incubator,
                    hosted_firms=u.hosted_firms,
                    since=u.since,
                )
                counts.created += 1
            else:
                changes = _changed(
                    existing,
                    {
                        "name": u.name,
                        "kind": u.kind,
                        "rank": u.rank,
                        "address": u.address,
                        "lat": u.lat,
                        "lng": u.lng,
                        "contact_name": u.contact_name,
                        "incubator": u.incubator,
                        "hosted_firms": u.hosted_firms,
                        **({"since": u.since} if u.since is not None else {}),
                    },
                )
                if area.pk != existing.area_id:
                    changes["area"] = area
                phone = _phone_change(existing, u.phone)
                if changes or phone is not None:
                    units[code] = services.unit_update(
                        actor=self.actor, unit=existing, contact_phone=phone, **changes
                    )
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            self.tick()
        self.all_units = units

    def _write_orgs(self, counts: Counts) -> None:
        areas, units = self.all_areas, self.all_units
        orgs: dict[str, PartyOrg] = dict(self.db_orgs)
        for code in self.org_order:
            o = self.orgs[code]
            self.current = (o.sheet, o.row)
            existing = self.db_orgs.get(code)
            parent = orgs[o.parent_code] if o.parent_code else None
            if existing is None:
                unit = units[o.unit_code] if o.unit_code else None
                area = None if unit is not None else areas[o.area_code]
                orgs[code] = services.party_org_create(
                    actor=self.actor,
                    name=o.name,
                    kind=o.kind,
                    code=code,
                    area=area,
                    unit=unit,
                    parent=parent,
                    secretary=o.secretary,
                    since=o.since,
                )
                counts.created += 1
            else:
                wanted: dict[str, Any] = {"name": o.name, "kind": o.kind, "secretary": o.secretary}
                if o.since is not None:
                    wanted["since"] = o.since
                changes = _changed(existing, wanted)
                if (existing.parent.code if existing.parent else "") != o.parent_code:
                    changes["parent"] = parent
                if changes:
                    orgs[code] = services.party_org_update(actor=self.actor, org=existing, **changes)
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            self.tick()


def _changed(obj: Model, wanted: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``wanted`` that differ from ``obj``."""
    return {k: v for k, v in wanted.items() if getattr(obj, k) != v}


def _phone_change(unit: ResidentUnit, phone: str) -> str | None:
    """The phone to set, or None to leave it: a masked value equal to the stored one, or the same number."""
    if "*" in phone:
        return None
    if phone == "":
        return "" if unit.contact_phone_masked else None
    if pii.blind_index(phone, purpose=ResidentUnit.PHONE_PURPOSE) == unit.contact_phone_index:
        return None
    return phone


def _failed(job: _Import) -> ImportResult:
    data = error_workbook(
        job.errors,
        source=job.path if job.header_rows else None,
        header_rows=job.header_rows,
        sheet_order=list(job.header_rows),
    )
    return ImportResult(ok=False, errors=job.errors, error_workbook=data, rows=job.rows)


def import_map(
    *,
    actor: Actor,
    path: str | Path,
    progress: Progress | None = None,
    skip_other_sheets: bool = False,
) -> ImportResult:
    """Import the map's workbook at ``path`` (.xlsx, .xls, .ods, or a .csv named like its sheet,
    e.g. 驻区单位.csv): every row or none (module docstring). Sheets are taken by their header
    (``_Import._sheet_kinds``); ``skip_other_sheets``: a sheet with other data is left alone and
    named in the result, instead of failing the import."""
    try:
        with readable(path) as book:
            return _import_map(actor=actor, path=book, progress=progress, skip_other_sheets=skip_other_sheets)
    except ExcelError as exc:  # a .csv that cannot be read
        job = _Import(actor, Path(path), progress or (lambda done, total: None))
        job.error("", 0, exc.message)
        return _failed(job)


def _import_map(
    *, actor: Actor, path: Path, progress: Progress | None, skip_other_sheets: bool = False
) -> ImportResult:
    job = _Import(actor, Path(path), progress or (lambda done, total: None))
    job.skip_other_sheets = skip_other_sheets
    with translation.override("zh-hans"):
        scope = job.scope
        if not (scope.everything or scope.area_paths):
            job.error("", 0, "您没有导入地图数据的权限（需要区域管理员角色）")
            return _failed(job)
        job.read()
        job.resolve()  # also with bad rows, so that every problem is reported at once
        if job.errors:
            return _failed(job)
        job.current = ("", 0)
        try:
            with transaction.atomic():
                counts = job.write()
        except (ValidationError, PermissionDenied) as exc:
            # A rule only the services know: nothing was written (the transaction rolled back).
            sheet, row = job.current
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            for message in messages:
                job.error(sheet, row, str(message))
            return _failed(job)
        job.report(job.total, job.total)
        return ImportResult(ok=True, counts=counts, rows=job.rows, skipped_sheets=job.skipped_sheets)


# --- jobs -----------------------------------------------------------------------------------


def map_import_allowed(*, actor: Actor) -> bool:
    scope = scope_for(actor)
    return scope.everything or bool(scope.area_paths)


def map_import_start(*, actor: Actor, upload: UploadedFile, skip_other_sheets: bool = False) -> Job:
    """Keep the upload, create the job, and queue the import on commit."""
    if not map_import_allowed(actor=actor):
        raise PermissionDenied(_("Only area administrators may import the map."))
    from .tasks import import_map_task

    return import_upload_start(
        actor=actor,
        upload=upload,
        kind=JOB_KIND,
        task=import_map_task,
        params={"skip_other_sheets": bool(skip_other_sheets)},
        max_bytes=DEFAULT_MAX_BYTES,
    )


def map_import_run(*, job_id: int) -> Job:
    """Run a queued import job (the Celery task calls this): progress, then the counts or the error
    workbook. The upload is deleted afterwards: it may hold clear phone numbers, which the platform
    keeps only encrypted."""
    job = Job.objects.select_related("actor").get(pk=job_id)
    if job.finished:
        return job
    last = {"done": -1}

    def progress(done: int, total: int) -> None:
        if done != last["done"]:
            last["done"] = done
            job_progress(job=job, done=done, total=total)

    progress(0, 0)
    source: Path | None = None
    try:
        source = job_upload_path(job)
        skip = bool((job.params or {}).get("skip_other_sheets"))
        outcome = import_map(actor=job.actor, path=source, progress=progress, skip_other_sheets=skip)
        import_job_finish(job=job, outcome=outcome)
    except Exception:
        log.exception("map import job %s stopped", job.pk)
        job_finish(
            job=job,
            ok=False,
            message="internal error; nothing was imported",
            result={"ok": False, "crashed": True},
        )
    finally:
        if source is not None:
            upload_discard(source)
    return job
