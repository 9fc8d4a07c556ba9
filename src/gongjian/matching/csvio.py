"""Reading the offline command's CSV files into the engine's dataclasses (no Django).

``D.csv``: ``id,title,description,category,quantity,area,lat,lng,deadline``
``R.csv``: ``id,title,description,category,capacity,provider,area,lat,lng,radius_km,available_from,available_to``
(and optionally ``service_areas``: division codes separated by spaces or ``;``).

UTF-8 with or without a BOM; text in either script; ``category`` may be empty; so may ``description``,
``area``, coordinates (both or neither), ``radius_km``, and the dates (``YYYY-MM-DD``). Every problem
is reported with its file, row (the header is row 1) and column, in Chinese and English, and nothing
is returned when there is one.

Areas (``area`` and ``service_areas``) are division codes, or names as people write them (富雅坪社區,
高新区, or with the place above to tell two apart: 岳麓区/望月湖社区) when the caller passes an
``areas`` look-up (``gongjian match`` passes one over the map): a name is resolved to its code; a
name the map does not know, or one it knows in several places (the problem lists each with its
code), is a problem like any other.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .engine_data import Demand, Resource

DEMAND_COLUMNS = ("id", "title", "description", "category", "quantity", "area", "lat", "lng", "deadline")
RESOURCE_COLUMNS = (
    "id",
    "title",
    "description",
    "category",
    "capacity",
    "provider",
    "area",
    "lat",
    "lng",
    "radius_km",
    "available_from",
    "available_to",
)
OPTIONAL_RESOURCE_COLUMNS = ("service_areas",)
MAX_REPORTED = 20
MAX_CANDIDATES = 8  # places listed for an ambiguous name
_AREA = re.compile(r"^[0-9A-Za-z-]*$")
_LIST = re.compile(r"[;；,，、\s]+")
T = TypeVar("T")


@dataclass(frozen=True)
class AreaCandidate:
    """A place of the map a name may mean: its code and where it is (``长沙市 岳麓区 望月湖社区``)."""

    code: str
    label: str


#: a name as written (either script, maybe ``上级/名称``) → the places it may mean
AreaLookup = Callable[[str], Sequence[AreaCandidate]]


@dataclass(frozen=True)
class Problem:
    file: str
    row: int  # 1 is the header
    column: str
    zh: str
    en: str

    def __str__(self) -> str:
        where_zh = f"{self.file} 第{self.row}行" + (f"，列 {self.column}" if self.column else "")
        where_en = f"{self.file} row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where_zh}：{self.zh} / {where_en}: {self.en}"


class CsvError(ValueError):
    """A file that cannot be read: every problem found (up to ``MAX_REPORTED``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        lines = [str(p) for p in shown]
        if more > 0:
            lines.append(f"…… 另有{more}个问题 / … and {more} more problems")
        super().__init__("\n".join(lines))


class _Row:
    """One data row: typed getters that record a problem instead of raising."""

    def __init__(
        self,
        file: str,
        number: int,
        values: dict[str, str],
        problems: list[Problem],
        areas: AreaLookup | None = None,
    ) -> None:
        self.file, self.line, self.values, self.problems = file, number, values, problems
        self.areas = areas

    def text(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def bad(self, column: str, zh: str, en: str) -> None:
        self.problems.append(Problem(self.file, self.line, column, zh, en))

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.bad(column, "不能为空", "must not be empty")
        return value

    def _parsed(self, column: str, parse: Callable[[str], T], zh: str, en: str) -> T | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return parse(value)
        except ValueError:
            self.bad(column, f"{zh}，而不是“{value}”", f"{en}, not '{value}'")
            return None

    def positive_int(self, column: str) -> int:
        value = self._parsed(column, int, "应为正整数", "must be a positive whole number")
        if value is None:
            if not self.text(column):
                self.bad(column, "应为正整数，不能为空", "must be a positive whole number, not empty")
            return 1
        if value < 1:
            self.bad(
                column, f"应为正整数，而不是“{value}”", f"must be a positive whole number, not '{value}'"
            )
        return value

    def number(self, column: str, low: float, high: float) -> float | None:
        value = self._parsed(column, float, "应为数字", "must be a number")
        if value is not None and not (low <= value <= high and math.isfinite(value)):
            self.bad(
                column,
                f"应在{low:g}到{high:g}之间，而不是“{value:g}”",
                f"must be between {low:g} and {high:g}, not '{value:g}'",
            )
            return None
        return value

    def date(self, column: str) -> dt.date | None:
        return self._parsed(column, dt.date.fromisoformat, "应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD")

    def area(self, column: str) -> str:
        return self.place(column, self.text(column))

    def areas_list(self, column: str) -> tuple[str, ...]:
        """Several areas in one cell, separated by spaces, ``;``, ``,`` or ``、``."""
        return tuple(
            code for part in _LIST.split(self.text(column)) if part and (code := self.place(column, part))
        )

    def place(self, column: str, value: str) -> str:
        """A division code as given, or the code of the one place a name means on the map."""
        if _AREA.match(value):
            return value
        if self.areas is None:
            self.bad(
                column,
                f"应为区划代码（数字、字母、-），而不是“{value}”",
                f"must be a division code (digits, letters, -), not '{value}'",
            )
            return ""
        found = list(self.areas(value))
        if len(found) == 1:
            return found[0].code
        if not found:
            self.bad(
                column,
                f"地图上没有名为“{value}”的区域（请填区划代码或地图上的名称）",
                f"no area on the map is named '{value}' (give a division code or a name on the map)",
            )
            return ""
        shown = found[:MAX_CANDIDATES]
        more = len(found) - len(shown)
        listed = "；".join(f"{c.code} {c.label}" for c in shown) + (f"；另有{more}处" if more > 0 else "")
        listed_en = "; ".join(f"{c.code} {c.label}" for c in shown) + (f"; {more} more" if more > 0 else "")
        self.bad(
            column,
            f"“{value}”在地图上有{len(found)}处，请填其中一个的区划代码或写上上级（如 上级/名称）：{listed}",
            f"'{value}' names {len(found)} areas on the map; give one's code, or the place above "
            f"(above/name): {listed_en}",
        )
        return ""

    def coordinates(self) -> tuple[float | None, float | None]:
        lat = self.number("lat", -90, 90)
        lng = self.number("lng", -180, 180)
        if (self.text("lat") == "") != (self.text("lng") == ""):
            missing = "lng" if self.text("lat") else "lat"
            self.bad(missing, "经纬度应同时填写或同时留空", "give both lat and lng, or neither")
        return (lat, lng) if lat is not None and lng is not None else (None, None)


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise CsvError(
            [
                Problem(
                    path.name,
                    row,
                    "",
                    "不是 UTF-8 编码（请另存为 UTF-8 的 CSV）",
                    "is not UTF-8 (save the file as UTF-8 CSV)",
                )
            ]
        ) from exc


def _rows(
    path: Path, columns: tuple[str, ...], problems: list[Problem], areas: AreaLookup | None = None
) -> Iterator[_Row]:
    try:
        text = _decode(path)
    except OSError as exc:
        raise CsvError(
            [
                Problem(
                    path.name, 0, "", f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
                )
            ]
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise CsvError(
            [
                Problem(
                    path.name,
                    1,
                    c,
                    "缺少此列（表头应为 " + ",".join(columns) + "）",
                    "this column is missing (the header is " + ",".join(columns) + ")",
                )
                for c in missing
            ]
        )
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                Problem(
                    path.name,
                    number,
                    "",
                    f"有{len(cells)}个字段，多于表头的{len(header)}列",
                    f"has {len(cells)} fields, more than the {len(header)} columns of the header",
                )
            )
            continue
        yield _Row(path.name, number, dict(zip(header, cells, strict=False)), problems, areas)


def _unique(ids: list[tuple[str, int]], file: str, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for value, row in ids:
        if value and value in first:
            problems.append(
                Problem(
                    file,
                    row,
                    "id",
                    f"与第{first[value]}行重复：“{value}”",
                    f"repeats row {first[value]}: '{value}'",
                )
            )
        first.setdefault(value, row)


def read_demands(path: str | Path, areas: AreaLookup | None = None) -> list[Demand]:
    path = Path(path)
    problems: list[Problem] = []
    out: list[Demand] = []
    ids: list[tuple[str, int]] = []
    for row in _rows(path, DEMAND_COLUMNS, problems, areas):
        lat, lng = row.coordinates()
        demand = Demand(
            id=row.required("id"),
            title=row.required("title"),
            description=row.text("description"),
            category=row.text("category"),
            quantity=row.positive_int("quantity"),
            area=row.area("area"),
            lat=lat,
            lng=lng,
            deadline=row.date("deadline"),
        )
        ids.append((demand.id, row.line))
        out.append(demand)
    _unique(ids, path.name, problems)
    if problems:
        raise CsvError(problems)
    return out


def read_resources(path: str | Path, areas: AreaLookup | None = None) -> list[Resource]:
    path = Path(path)
    problems: list[Problem] = []
    out: list[Resource] = []
    ids: list[tuple[str, int]] = []
    for row in _rows(path, RESOURCE_COLUMNS, problems, areas):
        lat, lng = row.coordinates()
        available_from, available_to = row.date("available_from"), row.date("available_to")
        if available_from and available_to and available_to < available_from:
            row.bad("available_to", "结束日期早于开始日期", "ends before it starts")
        service = row.areas_list("service_areas")
        resource = Resource(
            id=row.required("id"),
            title=row.required("title"),
            description=row.text("description"),
            category=row.text("category"),
            capacity=row.positive_int("capacity"),
            provider=row.text("provider"),
            area=row.area("area"),
            lat=lat,
            lng=lng,
            radius_km=row.number("radius_km", 0, 20_000),
            service_areas=service,
            available_from=available_from,
            available_to=available_to,
        )
        ids.append((resource.id, row.line))
        out.append(resource)
    _unique(ids, path.name, problems)
    if problems:
        raise CsvError(problems)
    return out
