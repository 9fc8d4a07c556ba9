"""Reading an import: the sheet's header and a batch's cells, parsed column by column, and the
records the look-ups read from the ledgers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from gongjian.accounts.scope import Scope
from gongjian.core.excel import (
    EXAMPLE_MARK,
    HEADER_SEARCH_ROWS,
    PHONE_REASON,
    SUMMARY_SHEET,
    CellError,
    Column,
    ExcelError,
    RowError,
    as_date,
    as_int,
    as_text,
    column_lookup,
    header_key,
    is_note_row,
    open_workbook,
    same_column,
    typed_code,
    typed_phone,
    unguard,
)
from gongjian.core.phones import is_phone
from gongjian.core.xlsxstream import iter_blocks

from .. import bulk
from .sheet import (
    _MASKED_BIRTH,
    _PHONE,
    _SPLIT,
    COLUMNS,
    LEDGERS,
    MAX_ERROR_ROWS,
    SHEET,
    SHEET_ALIASES,
    SHEET_HELP,
    STATUSES,
    Progress,
    _plain_choice,
)

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


class _ImportState:
    """What one import holds while it runs (set by ``_Import.__init__``) and the errors it
    collects; the reading (``_Reading``) and the deciding (``_Deciding``) work on it."""

    actor: Any
    path: Path
    scope: Scope
    report: Progress
    today: dt.date
    today_iso: str
    sheet: str
    header_row: int
    index: dict[str, int]
    errors: list[RowError]
    bad_rows: int
    bad_copies: list[tuple[int, list[Any]]]
    #: the sheets read so far: name -> (headers, copies of its bad rows), for the error workbook
    sheets_read: dict[str, tuple[list[str], list[tuple[int, list[Any]]]]]
    #: skip sheets that are not ledgers instead of failing (the page's "skip the other sheets")
    skip_other_sheets: bool
    skipped_sheets: list[str]
    #: rows recognised as totals or notes (合计, 备注 …) and skipped: (sheet, row)
    note_rows: list[tuple[str, int]]
    headers: list[str]
    rows: int
    total: int
    created: int
    updated: int
    unchanged: int
    seconds: dict[str, float]
    dry_run: bool
    parallel: bool
    reader: _Reader
    sealer: bulk.Sealer
    checker: bulk.IdChecker
    names: bulk.NameKeys
    org_scope: bulk._OrgScope
    orgs: dict[str, OrgInfo | None]
    orgs_by_pk: dict[int, OrgInfo]
    areas: dict[str, AreaInfo | None]
    areas_by_path: dict[str, AreaInfo]
    community_of: dict[int, int | None]
    units: dict[str, tuple[int, str] | None]
    org_ok: dict[str, bool]
    area_ok: dict[str, bool]
    seen: dict[bytes, int]  # blind index (as 32 bytes, half the memory) -> row
    seen_pk: dict[int, int]  # member id -> row
    memos: dict[str, _Memo]

    # -- errors --

    def error(self, row: int, reason: str) -> None:
        self.errors.append(RowError(self.sheet, row, reason))

    def bad(self, row: int, values: list[Any], reasons: list[str]) -> None:
        self.bad_rows += 1
        for reason in dict.fromkeys(reasons):
            if len(self.errors) < 5 * MAX_ERROR_ROWS:
                self.error(row, reason)
        if len(self.bad_copies) < MAX_ERROR_ROWS:
            self.bad_copies.append((row, self._own_copy(values)))

    def _own_copy(self, values: list[Any]) -> list[Any]:
        """The row as the uploader wrote it (only the formula guard undone), so it can be corrected
        in the error workbook and imported again; the workbook is kept sealed (core.jobs)."""
        return [unguard(v) if isinstance(v, str) else v for v in values[: len(self.headers)]]


def _header_lookup() -> dict[str, Column]:
    """The ledger's headers, with the synonyms of the table shared by every import."""
    return column_lookup(COLUMNS)


_REQUIRED_HEADERS = [c.header for c in COLUMNS if c.required]


class _Reading(_ImportState):
    """Reading: find the sheet and its header, parse a batch's cells column by column."""

    # -- reading --

    def _find_header(self, first: list[tuple[int, list[Any]]]) -> None:
        lookup = _header_lookup()
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
                    duplicate.append(same_column(texts[index[found.key]], text, found.header))
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

    def _ledger_sheets(self) -> list[str]:
        """The sheets to import, every sheet accounted for: each sheet (but 说明 and 错误汇总) whose
        header has the ledger's required columns is a ledger (one sheet per ledger works: 直管党员,
        离退休党员 …). A sheet with data but no such header fails the import, named, unless the
        user chose to skip such sheets. Without any ledger-shaped sheet, the sheet named 党员台账
        (or an alias), or the only sheet with data, is read, so that its header's problems are
        reported."""
        try:
            book = open_workbook(self.path)
        except ExcelError as exc:
            self.error(0, exc.message)
            return []
        ignored = {header_key(SHEET_HELP), header_key(SUMMARY_SHEET)}
        with book:
            names = [n for n in book.sheet_names if header_key(n) not in ignored]
        kinds = {name: self._sheet_kind(name) for name in names}
        ledgers = [n for n in names if kinds[n] == "ledger"]
        others = [n for n in names if kinds[n] == "data"]
        if not ledgers:
            wanted = {header_key(SHEET), *(header_key(a) for a in SHEET_ALIASES)}
            named = [n for n in names if header_key(n) in wanted]
            if named:
                return named[:1]
            if len(names) == 1 or len(others) == 1:
                return others[:1] or names
            self.error(
                0, f"找不到工作表“{SHEET}”：没有一张工作表有党员台账的列（{'、'.join(_REQUIRED_HEADERS)}）"
            )
            return []
        if others and not self.skip_other_sheets:
            for name in others:
                self.sheet = name
                self.error(
                    0,
                    f"工作表“{name}”里有数据，但没有党员台账的列（{'、'.join(_REQUIRED_HEADERS)}），"
                    "所以整个文件都没有导入。如果这张表不用导入，请删除它，或在导入页勾选“跳过不是台账的工作表”。",
                )
            return []
        self.skipped_sheets = others
        return ledgers

    def _sheet_kind(self, name: str) -> str:
        """ "ledger" (the header has every required column), "data" (something else is written in
        it) or "empty", from its first rows."""
        blocks = iter_blocks(self.path, name)
        try:
            first = next(blocks, None)
        finally:
            blocks.close()
        if first is None:
            return "empty"
        rows = first[1][:HEADER_SEARCH_ROWS]
        lookup = _header_lookup()
        required = {c.key for c in COLUMNS if c.required}
        for values in rows:
            found = {
                lookup[k].key
                for k in (header_key(as_text(v)) for v in values if v not in (None, ""))
                if k in lookup
            }
            if required <= found:
                return "ledger"
        more = len(first[1]) > len(rows)
        return "data" if more or any(any(v not in (None, "") for v in values) for values in rows) else "empty"

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
        raw_ids = [typed_code(v) for v in col(b, "id_number")]
        raw_orgs = col(b, "org_code")
        for i in [i for i, values in enumerate(b.rows) if is_note_row(values) and not _text(raw_ids[i])]:
            b.skip.add(i)  # 合计, 备注, 填表人 … below the data: not a member
            self.note_rows.append((self.sheet, b.numbers[i]))
        for i, name in enumerate(names):
            if i in b.skip:
                continue
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
        b.phones = phones = [typed_phone(p) for p in _texts(col(b, "phone"))]
        for i in [i for i, p in enumerate(phones) if p and "*" not in p]:
            phone = phones[i]
            if not (_PHONE.match(phone) and is_phone(phone)):  # libphonenumber, as units are checked
                bad(i, PHONE_REASON)  # never echo the number
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
