"""Excel in and out: read with python-calamine, write with XlsxWriter.

Pure helpers with no model code, shared by every import and export:

* **Reading** (:func:`open_workbook`, :func:`find_sheet`, :class:`SheetReader`): sheets and headers
  are found by their Chinese names in either script (``區劃代碼`` is ``区划代码``) through
  :func:`gongjian.core.text.search_key`; rows come back with their Excel row number; blank rows and
  example rows (any cell starting with :data:`EXAMPLE_MARK`) are skipped. Cell converters
  (:func:`as_text`, :func:`as_int`, …) raise :class:`CellError` with a reason in Chinese.
* **Writing** (:class:`BookWriter`): every text goes through ``write_string``, so nothing becomes a
  formula, a number or a link, and text is neutralised against formula injection (below).
  ``constant_memory`` mode keeps big exports flat in memory (rows are written in order).
* **Errors** (:func:`error_workbook`): a summary sheet 错误汇总 (sheet, row number, reason) and, for
  each input sheet with bad rows, a copy of those rows with their row number (行号) and a 错误原因
  column, so the reasons sit next to the values. The values are the uploader's own (so a row can be
  corrected there and imported again); the job keeps the workbook sealed (``core.jobs``).

Formula injection (CSV/DDE injection): a cell written as a string is never evaluated by Excel, but
the value travels on (copy and paste, "save as CSV", other tools that read the cell text), and a
text starting with ``= + - @`` or a tab or carriage return may then be run as a formula. Such a text
is written with a leading apostrophe, visible in the cell, as OWASP recommends: ``=1+1`` is written
``'=1+1``. Reading undoes the guard (:func:`unguard`), so an exported workbook re-imports to the same
values; a text that itself starts with apostrophes before such a character gets one more apostrophe,
which keeps the guard reversible.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .text import search_key

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: A text starting with one of these is guarded with :data:`GUARD` when written.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
#: Rows with a cell starting with this mark are examples and are skipped when reading.
EXAMPLE_MARK = "【示例】"
#: The column added to the error workbook.
REASON_HEADER = "错误原因"
ROW_HEADER = "行号"
SUMMARY_SHEET = "错误汇总"
SHEET_HEADER = "工作表"

MAX_SHEET_NAME = 31
HEADER_SEARCH_ROWS = 10

Cell = Any  # what calamine gives back: str, float, int, bool, date, datetime, time, timedelta

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "f", ""}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_HEADER_NOISE = re.compile(r"[*＊\s]|[(（]必填[)）]")


class ExcelError(Exception):
    """The file as a whole cannot be read. ``message`` is in Chinese, for the error workbook."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CellError(ValueError):
    """One cell's value is not acceptable. ``message`` is in Chinese, for the error workbook."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- formula injection ----------------------------------------------------------------------


def needs_guard(text: str) -> bool:
    """True when ``text`` (after any leading apostrophes) starts with a formula trigger."""
    rest = text.lstrip(GUARD)
    return bool(rest) and rest[0] in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """The text as it is written to a cell: guarded with an apostrophe when it could run as a formula."""
    return GUARD + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """Undo :func:`neutralise`: ``'=1+1`` reads back as ``=1+1``."""
    if text.startswith(GUARD) and needs_guard(text[1:]):
        return text[1:]
    return text


# --- cell converters --------------------------------------------------------------------------

#: A row an office adds below its data: totals, notes, who filled the form in and when. Such a
#: row (its first filled cell starting with one of these words, either script) is not data.
NOTE_ROW = re.compile(
    r"^\s*(合计|合計|总计|總計|小计|小計|共计|共計|备注|備註|说明|說明|注[:：]|填表人|填報人|填报人|制表人|製表人|"
    r"制表日期|製表日期|填表日期|填报日期|填報日期|审核人|審核人|负责人|負責人)"
)


def is_note_row(values: Sequence[Cell]) -> bool:
    """The row is a totals or notes row (:data:`NOTE_ROW`), judged by its first filled cell."""
    for value in values:
        if value is None or value == "":
            continue
        return isinstance(value, str) and NOTE_ROW.match(value) is not None
    return False


_ODD_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_TEXT_PREFIX = "'‘’`"


def typed_code(value: Cell) -> Cell:
    """A code (ID number, credit code) as offices type it, made plain: full-width digits and
    letters (``４３０…Ｘ``) half-width, every kind of space (NBSP, ideographic, zero-width) removed,
    the apostrophe typed to keep Excel from turning it into a number dropped, a final ``x``
    upper-cased. Anything that is not text is returned as it is."""
    if value.__class__ is not str:
        return value
    if value.isascii() and value.isalnum() and value[-1:] != "x":
        return value  # the usual case, untouched
    text = _ODD_SPACES.sub("", unicodedata.normalize("NFKC", value)).lstrip(_TEXT_PREFIX)
    return text[:-1] + "X" if text[-1:] == "x" else text


#: A phone as offices write it: +86 or a bracketed area code first, digits with spaces, dashes
#: and brackets, and an extension (转 123, 分机 123, ext. 123, x123). With 5 to 20 digits.
PHONE = re.compile(
    r"^(\+?86[ -]?)?[0-9(][0-9 ()\-]{4,22}(\s*(转|分机|ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE
)

#: Why a phone is refused (the number itself is never repeated: it is personal data).
PHONE_REASON = "联系电话不是有效号码（手机 11 位，座机带区号，如 0731-88886666）"


def typed_phone(text: str) -> str:
    """A phone number as offices type it: full-width digits, brackets and plus half-width, odd
    spaces made plain, a leading apostrophe dropped."""
    if text.isascii() and text[:1] != "'":
        return text
    text = unicodedata.normalize("NFKC", text).lstrip(_TEXT_PREFIX)
    return _ODD_SPACES.sub(" ", text).strip()


def as_text(value: Cell) -> str:
    """The cell as trimmed text: whole numbers without ``.0`` (codes typed as numbers), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unguard(value).strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def as_bool(value: Cell, *, default: bool = False) -> bool:
    """是/否 (also Y/N, true/false, 1/0, √/×); an empty cell is ``default``."""
    if isinstance(value, bool):
        return value
    text = search_key(as_text(value))
    if text == "":
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"“{as_text(value)}”应填“是”或“否”")


def as_int(value: Cell, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number, or None for an empty cell."""
    if isinstance(value, bool):
        raise CellError("应为整数")
    number: int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"“{as_text(value)}”不是整数")
        number = int(value)
    else:
        text = as_text(value).replace(",", "").replace("，", "")
        if text == "":
            return None
        if not re.fullmatch(r"[+-]?\d+", text):
            raise CellError(f"“{as_text(value)}”不是整数")
        number = int(text)
    if minimum is not None and number < minimum:
        raise CellError(f"{number} 不能小于 {minimum}")
    if maximum is not None and number > maximum:
        raise CellError(f"{number} 不能大于 {maximum}")
    return number


def as_decimal(value: Cell) -> Decimal | None:
    """A number, or None for an empty cell."""
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = as_text(value)
    if text == "":
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(f"“{text}”不是数字") from exc
    if not number.is_finite():
        raise CellError(f"“{text}”不是数字")
    return number


#: Excel's day 0 (its serial numbers count from here, past its 1900 leap-year slip) and the
#: last serial it shows as a date (9999-12-31).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_LAST_SERIAL = 2_958_465


def as_date(value: Cell) -> dt.date | None:
    """A date cell, or text such as 2018-01-31, 2018/1/31, 2018年1月31日, or a date typed into a
    General cell, which Excel keeps as its serial number (27467 is 1975-03-14); None for an
    empty cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    serial = isinstance(value, int | float) and not isinstance(value, bool)
    if serial and 61 <= value <= _EXCEL_LAST_SERIAL and value == int(value):
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = as_text(value)
    if text == "":
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"“{text}”不是日期，请写成 2018-01-31 的格式")


class Enumeration:
    """Allowed values of a column, written with their Chinese label and read in either script.

    ``pairs`` are (stored value, label written to Excel); ``synonyms`` map other accepted labels
    (any script, any case) to stored values. The stored values themselves are accepted too.
    """

    def __init__(
        self,
        name: str,
        pairs: Sequence[tuple[Any, str]],
        synonyms: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.pairs = list(pairs)
        self._label: dict[Any, str] = dict(pairs)
        self._lookup: dict[str, Any] = {}
        for value, label in pairs:
            self._lookup[search_key(str(value))] = value
            self._lookup[search_key(label)] = value
        for text, value in (synonyms or {}).items():
            self._lookup[search_key(text)] = value

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.pairs]

    def label(self, value: Any) -> str:
        return self._label.get(value, "" if value is None else str(value))

    def parse(self, cell: Cell, *, default: Any = None) -> Any:
        text = as_text(cell)
        if text == "":
            if default is not None:
                return default
            raise CellError(f"请填写{self.name}")
        key = search_key(text)
        if key in self._lookup:
            return self._lookup[key]
        raise CellError(f"{self.name}“{text}”无效，可填：{'、'.join(self.labels)}")


# --- reading ----------------------------------------------------------------------------------


Source = str | os.PathLike[str] | bytes | IO[bytes]


#: Limits on what an uploaded workbook may hold, checked before and while it is read, so a
#: decompression bomb or a sheet of a billion cells fails at once with a clear message and in
#: bounded memory. A ledger of 600,000 members is about 0.4 GB of sheet XML and 10 million cells.
MAX_INFLATED_BYTES = 2 * 1024**3
#: A zip member larger than this once inflated may not be more compressed than MAX_RATIO (real
#: sheets are 5–30 times; a bomb is a thousand times).
RATIO_FLOOR_BYTES = 64 * 1024**2
MAX_RATIO = 200
#: The verified members: up to this size each is inflated once before anything else reads it,
#: so a member that inflates to more than it declares is found out (Python's zipfile stops at the
#: declared size and checks the CRC). Larger members are read through zipfile by xlsxstream.
VERIFY_MEMBER_BYTES = 16 * 1024**2
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELLS = 50_000_000


def check_container(path: str | os.PathLike[str], *, max_inflated: int | None = None) -> None:
    """Refuse a zip-based workbook (.xlsx, .ods) that would inflate beyond ``max_inflated`` or
    whose members are compressed like a decompression bomb: from the zip directory, in
    milliseconds, then by inflating the small members in blocks. Anything that is not a zip
    (.xls, .csv) passes. Raises :class:`ExcelError`."""
    import zipfile
    import zlib

    if not zipfile.is_zipfile(path):
        return
    max_inflated = MAX_INFLATED_BYTES if max_inflated is None else max_inflated
    too_big = ExcelError(
        f"文件解压后过大或压缩比异常（解压后上限 {max_inflated // 1024**2} MB），"
        "可能是压缩炸弹或异常文件，未读取。请检查文件，或拆分后再导入。"
    )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(1, info.compress_size)
                if total > max_inflated or (info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO):
                    raise too_big
            inflated = 0
            for info in infos:
                if info.file_size > VERIFY_MEMBER_BYTES:
                    continue
                with zf.open(info) as member:
                    while block := member.read(1024 * 1024):
                        inflated += len(block)
                        if inflated > max_inflated:
                            raise too_big
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,
        EOFError,
        OSError,
    ) as exc:
        raise ExcelError("文件无法读取：压缩内容损坏或与其声明的大小不符。") from exc


class RowBudget:
    """Counts the rows and cells read from an upload and stops the reading past the limits."""

    def __init__(self, *, max_rows: int | None = None, max_cells: int | None = None) -> None:
        self.max_rows = MAX_ROWS if max_rows is None else max_rows
        self.max_cells = MAX_CELLS if max_cells is None else max_cells
        self.rows = 0
        self.cells = 0

    def take(self, rows: int, cells: int) -> None:
        self.rows += rows
        self.cells += cells
        if self.rows > self.max_rows:
            raise ExcelError(f"文件的行数超过上限（{self.max_rows:,} 行），未导入。请拆分成几个文件。")
        if self.cells > self.max_cells:
            raise ExcelError(
                f"文件的单元格数超过上限（{self.max_cells:,} 个），未导入。请删去多余的列或拆分文件。"
            )


# --- the formats offices save: .xlsx, .xls, .ods, .csv ---------------------------------------

#: What every import accepts. .xlsx, .xls and .ods are read by calamine; a .csv is first written
#: into a one-sheet .xlsx (:func:`readable`), so every import reads one kind of workbook.
WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Encodings tried in turn for a .csv: UTF-8 with or without its BOM, then GB18030 (which reads
#: every GBK and GB2312 file, the encodings of Chinese Windows' "CSV" and 记事本).
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def format_of(name: str, head: bytes) -> str | None:
    """The upload's format (its suffix) when its first bytes agree with its name, else None."""
    suffix = Path(name).suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        return None
    if suffix in {".xlsx", ".ods"}:
        return suffix if head.startswith(b"PK\x03\x04") else None
    if suffix == ".xls":
        return suffix if head.startswith(_OLE_MAGIC) else None
    if head.startswith((b"PK\x03\x04", _OLE_MAGIC)) or b"\x00" in head.replace(b"\x00\x00", b""):
        return None  # a workbook or a UTF-16 text renamed .csv
    return suffix


def csv_encoding(path: str | os.PathLike[str]) -> str:
    """The encoding of a .csv: the first of :data:`CSV_ENCODINGS` that decodes all of it (read in
    blocks). Raises :class:`ExcelError` when none does."""
    import codecs

    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                while block := fh.read(1024 * 1024):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ExcelError("CSV 文件的编码无法识别：请在 Excel 或 WPS 中另存为“CSV UTF-8”或 .xlsx 后再上传。")


def csv_to_xlsx(source: str | os.PathLike[str], target: str | os.PathLike[str], *, sheet_name: str) -> None:
    """Write a .csv (UTF-8, UTF-8 with BOM, GBK/GB18030; comma, tab or semicolon) into a one-sheet
    .xlsx whose cells are all text, as typed: an ID number stays 18 characters."""
    import csv

    encoding = csv_encoding(source)
    with open(source, encoding=encoding, newline="") as fh:
        sample = fh.read(64 * 1024)
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        book = xlsxwriter.Workbook(os.fspath(target), {"constant_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet(safe_sheet_name(sheet_name))
        budget = RowBudget()
        try:
            for r, values in enumerate(csv.reader(fh, dialect)):
                budget.take(1, len(values))
                for c, value in enumerate(values):
                    if value != "":
                        sheet.write_string(r, c, value)
        except csv.Error as exc:
            raise ExcelError(f"CSV 文件第 {r + 2} 行无法读取（引号不成对等）。") from exc
        finally:
            book.close()


@contextmanager
def readable(path: str | os.PathLike[str], *, sheet_name: str = "") -> Iterator[Path]:
    """The upload as a workbook calamine reads: the file itself (.xlsx, .xls, .ods), or for a
    .csv a one-sheet .xlsx beside it named ``sheet_name`` (default: the file's own name, so
    ``区划.csv`` is the sheet 区划), deleted afterwards."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        yield path
        return
    target = path.with_name(path.stem + ".csv.xlsx")
    try:
        csv_to_xlsx(path, target, sheet_name=sheet_name or path.stem)
        yield target
    finally:
        target.unlink(missing_ok=True)


def open_workbook(source: Source) -> CalamineWorkbook:
    """Open an .xlsx (or anything calamine reads) from a path, bytes or a binary file; a file on
    disk is checked first (:func:`check_container`)."""
    if isinstance(source, str | os.PathLike):
        check_container(source)
    try:
        if isinstance(source, bytes):
            return CalamineWorkbook.from_filelike(io.BytesIO(source))
        if isinstance(source, str | os.PathLike):
            return CalamineWorkbook.from_path(os.fspath(source))
        return CalamineWorkbook.from_filelike(source)
    except (CalamineError, OSError, ValueError) as exc:
        raise ExcelError(
            "文件无法读取：请上传 Excel 或 WPS 表格（.xlsx、.xls）、LibreOffice 表格（.ods）或 CSV 文件，且不要加密码。"
        ) from exc


def header_key(text: str) -> str:
    """A header as matched: either script, spaces, ``*`` and （必填） ignored."""
    return _HEADER_NOISE.sub("", search_key(text))


def find_sheet(book: CalamineWorkbook, name: str, aliases: Iterable[str] = ()) -> str | None:
    """The name of the sheet called ``name`` (or one of ``aliases``) in either script, or None."""
    wanted = {header_key(name), *(header_key(a) for a in aliases)}
    for sheet_name in book.sheet_names:
        if header_key(sheet_name) in wanted:
            return sheet_name
    return None


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the key used in code, the header written (zh-Hans), and help text."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    width: int = 14
    #: a code or number typed as text (ID number, credit code, phone): the template formats the
    #: column as Text, so Excel keeps all 18 digits instead of 4.30105E+17
    text: bool = False


#: One table of header synonyms for every import: a column's header (as the templates write it)
#: and the other headers offices give the same column, matched in either script with spaces, ``*``
#: and （必填） ignored (:func:`header_key`). A column's own ``aliases`` add to these.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "姓名": ("名字", "党员姓名"),
    "身份证号": ("身份证号码", "公民身份号码", "公民身份证号码", "证件号码", "身份证", "身份证件号码"),
    "出生日期": ("出生年月", "出生年月日", "生日"),
    "联系电话": ("电话", "联系方式", "联系电话1", "电话1", "联系电话（一）"),
    "手机号码": ("手机", "手机号", "移动电话", "联系手机"),
    "座机": ("固定电话", "座机号码", "办公电话", "联系电话2", "电话2", "联系电话（二）"),
    "学历": ("文化程度", "最高学历"),
    "入党时间": ("入党日期", "入党年月"),
    "统一社会信用代码": ("社会信用代码", "信用代码", "统一代码"),
    "工作单位信用代码": ("工作单位统一社会信用代码",),
    "工作单位名称": ("工作单位", "单位名称"),
    "所在党组织代码": ("党组织代码",),
    "区划代码": ("行政区划代码", "区划编码"),
    "组织代码": ("党组织编码", "组织编码"),
    "联系人": ("联系人姓名",),
    "书记": ("党组织书记", "书记姓名"),
}


def same_column(first: str, second: str, header: str) -> str:
    """Why two headers of one sheet clash: both name the same column, which keeps one value."""
    if header_key(first) == header_key(second):
        return f"“{header}”出现了两次"
    return f"“{first}”和“{second}”都是“{header}”列，每行只能保存一个{header}，请只保留一列"


def column_names(col: Column) -> tuple[str, ...]:
    """Every header the column is known by: its own, its aliases, and :data:`HEADER_SYNONYMS`."""
    return (col.header, *col.aliases, *HEADER_SYNONYMS.get(col.header, ()))


def column_lookup(columns: Sequence[Column]) -> dict[str, Column]:
    """Header key (:func:`header_key`) to column, for every name of every column. A name two
    columns could claim goes to the column whose own header it is, then to the first."""
    lookup: dict[str, Column] = {}
    for col in columns:
        for text in column_names(col)[1:]:
            lookup.setdefault(header_key(text), col)
    for col in columns:
        lookup[header_key(col.header)] = col
    return lookup


def sheet_head(book: CalamineWorkbook, name: str) -> list[list[Cell]]:
    """The first :data:`HEADER_SEARCH_ROWS` rows of a sheet (where its header is looked for)."""
    rows: list[list[Cell]] = []
    for values in book.get_sheet_by_name(name).iter_rows():
        rows.append(list(values))
        if len(rows) >= HEADER_SEARCH_ROWS:
            break
    return rows


def header_kind(rows: Sequence[Sequence[Cell]], kinds: Mapping[str, Sequence[Column]]) -> str | None:
    """Which of ``kinds`` (name to columns) a sheet holds, from its first rows: the kind all of
    whose required columns are in one row's headers; of several, the one with most columns found."""
    best: tuple[int, str] | None = None
    for kind, columns in kinds.items():
        lookup = column_lookup(columns)
        required = {c.key for c in columns if c.required}
        for values in rows:
            found = {
                lookup[k].key for k in (header_key(as_text(v)) for v in values if not blank(v)) if k in lookup
            }
            if required <= found and (best is None or len(found) > best[0]):
                best = (len(found), kind)
    return None if best is None else best[1]


@dataclass(slots=True)
class Record:
    """One data row: its Excel row number and its cells by column key (missing columns are "")."""

    row: int
    cells: dict[str, Cell]

    def __getitem__(self, key: str) -> Cell:
        return self.cells.get(key, "")


def blank(value: Cell) -> bool:
    """The cell is empty or only spaces."""
    return value is None or (isinstance(value, str) and value.strip() == "")


_blank = blank


def _is_example(values: Sequence[Cell]) -> bool:
    return any(isinstance(v, str) and v.lstrip().startswith(EXAMPLE_MARK) for v in values)


@dataclass
class SheetReader:
    """The data rows of one sheet, mapped by header. Check :attr:`missing` before reading rows.

    The header row is the first of the first :data:`HEADER_SEARCH_ROWS` rows that holds every
    required header (so a title row above the headers is allowed); unknown headers are ignored.
    """

    sheet: CalamineSheet
    columns: Sequence[Column]
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    missing: list[Column] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, book: CalamineWorkbook, sheet_name: str, columns: Sequence[Column]) -> SheetReader:
        reader = cls(sheet=book.get_sheet_by_name(sheet_name), columns=columns)
        reader._find_header()
        return reader

    @property
    def name(self) -> str:
        return self.sheet.name

    @property
    def row_estimate(self) -> int:
        """Rows below the header (blank and example rows included)."""
        end = self.sheet.end
        return max(0, (end[0] + 1 if end else 0) - self.header_row)

    def _find_header(self) -> None:
        lookup = column_lookup(self.columns)
        best: tuple[int, int, list[str], dict[str, int], list[str]] | None = None
        for number, values in enumerate(self.sheet.iter_rows(), start=1):
            if number > HEADER_SEARCH_ROWS:
                break
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
            required_found = sum(1 for c in self.columns if c.required and c.key in index)
            if best is None or required_found > best[0]:
                best = (required_found, number, texts, index, duplicate)
            if all(c.key in index for c in self.columns if c.required):
                break
        if best is None:
            self.missing = [c for c in self.columns if c.required]
            return
        _, self.header_row, self.headers, self.index, self.duplicate = best
        self.missing = [c for c in self.columns if c.required and c.key not in self.index]

    def records(self) -> Iterator[Record]:
        """Data rows below the header, skipping blank rows and example rows."""
        index = self.index
        budget = RowBudget()
        for number, values in enumerate(self.sheet.iter_rows(), start=1):
            budget.take(1, len(values))
            if number <= self.header_row:
                continue
            if all(_blank(v) for v in values) or _is_example(values):
                continue
            width = len(values)
            yield Record(
                row=number, cells={key: (values[pos] if pos < width else "") for key, pos in index.items()}
            )


# --- writing ----------------------------------------------------------------------------------


def safe_sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "Sheet"
    return cleaned[:MAX_SHEET_NAME]


class SheetWriter:
    """Rows appended in order to one worksheet (constant-memory mode needs the order)."""

    def __init__(self, book: BookWriter, worksheet: Worksheet) -> None:
        self._book = book
        self.worksheet = worksheet
        self.next_row = 0

    def append(self, values: Sequence[Cell], *, style: str | None = None) -> None:
        fmt = self._book.formats.get(style) if style else None
        for col, value in enumerate(values):
            self._book.write_cell(self.worksheet, self.next_row, col, value, fmt)
        self.next_row += 1

    def header(
        self, headers: Sequence[str], *, widths: Sequence[int] | None = None, text: Iterable[int] = ()
    ) -> None:
        """The header row, frozen; ``text``: the columns formatted as Text (what is typed stays as typed)."""
        as_text_ = set(text)
        for col, width in enumerate(widths or [14] * len(headers)):
            fmt = self._book.formats["text"] if col in as_text_ else None
            self.worksheet.set_column(col, col, width, fmt)
        self.append(list(headers), style="header")
        self.worksheet.freeze_panes(self.next_row, 0)

    def dropdown(self, col: int, choices: Sequence[str], *, rows: int = 5000) -> None:
        """A list to pick from in column ``col`` (not enforced: other scripts and synonyms are read too)."""
        if not choices or len(",".join(choices)) > 250:
            return
        self.worksheet.data_validation(
            1,
            col,
            rows,
            col,
            {
                "validate": "list",
                "source": list(choices),
                "show_error": False,
                "input_title": "可选的值",
                "input_message": "、".join(choices)[:250],
            },
        )


class BookWriter:
    """An .xlsx built in memory. Text is always written as text and neutralised (module docstring).

    Use :meth:`sheet` for each sheet in turn, then :meth:`close` for the bytes.
    """

    def __init__(self, *, constant_memory: bool = True) -> None:
        self._buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self._buffer,
            {
                "constant_memory": constant_memory,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.formats: dict[str, Format] = {
            "header": self.book.add_format({"bold": True, "bg_color": "#FDE9E7", "border": 1}),
            "example": self.book.add_format({"italic": True, "font_color": "#808080"}),
            "wrap": self.book.add_format({"text_wrap": True, "valign": "top"}),
            "title": self.book.add_format({"bold": True, "font_size": 13}),
            "text": self.book.add_format({"num_format": "@"}),
            "example_text": self.book.add_format(
                {"italic": True, "font_color": "#808080", "num_format": "@"}
            ),
        }
        self._date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self._datetime = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._closed: bytes | None = None

    def sheet(self, name: str) -> SheetWriter:
        return SheetWriter(self, self.book.add_worksheet(safe_sheet_name(name)))

    def write_cell(self, ws: Worksheet, row: int, col: int, value: Cell, fmt: Format | None = None) -> None:
        if value is None or (isinstance(value, str) and value == ""):
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
            return
        if isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(row, col, float(value), fmt)
        elif isinstance(value, dt.datetime):
            ws.write_datetime(row, col, value.replace(tzinfo=None), fmt or self._datetime)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, value, fmt or self._date)
        else:
            ws.write_string(row, col, neutralise(str(value)), fmt)

    def close(self) -> bytes:
        if self._closed is None:
            self.book.close()
            self._closed = self._buffer.getvalue()
        return self._closed


# --- error workbook ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A reason (in Chinese) why a row, or a whole sheet (``row`` 0), cannot be imported."""

    sheet: str
    row: int
    reason: str


#: How many reasons a failed import shows on its page (all of them are in the error workbook).
PAGE_REASONS = 20


def failure_summary(
    errors: Sequence[RowError], *, bad_rows: int, rows: int, file_level: bool | None = None
) -> dict[str, Any]:
    """``Job.result`` of a failed import: the counts, the first :data:`PAGE_REASONS` reasons for
    the page (sheet as the user named it, row, reason), and whether the problem is the file's
    own (a missing sheet or column, an unreadable file; by default: no row named) rather than its
    rows'."""
    if file_level is None:
        file_level = bool(errors) and all(e.row == 0 for e in errors)
    return {
        "ok": False,
        "errors": len(errors),
        "bad_rows": 0 if file_level else bad_rows,
        "rows": rows,
        "file_level": file_level,
        "reasons": [{"sheet": e.sheet, "row": e.row, "reason": e.reason} for e in errors[:PAGE_REASONS]],
    }


def error_workbook(
    errors: Iterable[RowError],
    *,
    source: Source | None = None,
    header_rows: Mapping[str, int] | None = None,
    masked_headers: Mapping[str, Callable[[str], str]] | None = None,
    sheet_order: Sequence[str] = (),
) -> bytes:
    """The bad rows with the reasons, in Chinese.

    ``source`` is the uploaded workbook, read again so the bad rows are copied with their values;
    ``header_rows`` gives each sheet's header row number (sheets without one get no copy).
    Columns whose header (either script) is in ``masked_headers`` are written through its masking
    function; the imports pass none: the uploader gets their own values back, sealed at rest.
    """
    by_row: dict[tuple[str, int], list[str]] = {}
    for err in errors:
        reasons = by_row.setdefault((err.sheet, err.row), [])
        if err.reason not in reasons:
            reasons.append(err.reason)
    order = {name: i for i, name in enumerate(sheet_order)}

    def sort_key(item: tuple[tuple[str, int], list[str]]) -> tuple[int, str, int]:
        (sheet, row), _ = item
        return (order.get(sheet, len(order)), sheet, row)

    rows = sorted(by_row.items(), key=sort_key)
    book = BookWriter()
    summary = book.sheet(SUMMARY_SHEET)
    summary.header([SHEET_HEADER, ROW_HEADER, REASON_HEADER], widths=[14, 8, 80])
    for (sheet, row), reasons in rows:
        summary.append([sheet, row or "", "；".join(reasons)])

    if source is not None and header_rows:
        masks = {header_key(h): fn for h, fn in (masked_headers or {}).items()}
        try:
            src = open_workbook(source)
        except ExcelError:
            return book.close()
        with src:
            for sheet_name in sorted(header_rows, key=lambda s: (order.get(s, len(order)), s)):
                header_row = header_rows[sheet_name]
                wanted = {row: reasons for (sheet, row), reasons in rows if sheet == sheet_name and row}
                if not header_row or not wanted or sheet_name not in src.sheet_names:
                    continue
                out = book.sheet(sheet_name)
                headers: list[str] = []
                maskers: dict[int, Callable[[str], str]] = {}
                for number, values in enumerate(src.get_sheet_by_name(sheet_name).iter_rows(), start=1):
                    if number == header_row:
                        headers = [as_text(v) for v in values]
                        maskers = {
                            i: masks[header_key(h)] for i, h in enumerate(headers) if header_key(h) in masks
                        }
                        out.header(
                            [ROW_HEADER, *headers, REASON_HEADER],
                            widths=[8, *(max(10, 2 * len(h) + 4) for h in headers), 60],
                        )
                    elif number in wanted:
                        cells: list[Cell] = []
                        for i, value in enumerate(values):
                            if i in maskers and not _blank(value):
                                cells.append(maskers[i](as_text(value)))
                            elif isinstance(value, str):
                                cells.append(unguard(value))
                            else:
                                cells.append(value)
                        cells += [""] * (len(headers) - len(cells))
                        out.append([number, *cells, "；".join(wanted[number])])
    return book.close()


def save_bytes(data: bytes, path: Path) -> None:
    """Write ``data`` to ``path``, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
