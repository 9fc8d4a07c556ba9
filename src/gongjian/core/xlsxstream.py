"""Reading a big worksheet in flat memory, at python-calamine's speed.

python-calamine is the fastest xlsx reader on PyPI, but it parses a whole sheet into memory before
the first row comes back: a 600,000-row ledger takes about 1 GB. :func:`iter_rows` keeps
calamine's speed and bounds the memory: a background thread inflates the sheet's XML a block at a
time, cuts it at row boundaries into pieces of about ``chunk_bytes``, wraps each piece in a small
uncompressed workbook (the original's shared strings, styles and workbook parts, so numbers,
dates and shared strings read exactly as in the whole file) and lets calamine parse it. calamine
and zlib release the GIL, so the parsing runs on the second core while the caller works on the
rows of the previous piece; at most ``prefetch`` parsed pieces wait in a queue.

Small sheets (under ``chunk_bytes`` of XML) and anything unusual (no ``r`` attribute on rows, an
unexpected layout) are read by calamine in one go: the result is the same, only the memory differs.

Rows come back as ``(row number, values)`` with the row number as Excel shows it, whatever empty
rows or columns precede the data.
"""

from __future__ import annotations

import io
import os
import posixpath
import queue
import re
import threading
import zipfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineSheet

from .excel import ExcelError, open_workbook

Cell = Any

#: Uncompressed sheet XML per piece (~16,000 ledger rows, ~25 MB once parsed).
DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024
_BLOCK = 4 * 1024 * 1024
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROOT = re.compile(rb"<(?P<prefix>[A-Za-z_][\w.-]*:)?worksheet\b[^>]*>")
_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="' + _NS_MAIN.encode() + b'"><sheetData/></worksheet>'
)
_DONE = object()


class _Unsplittable(Exception):
    """The sheet's XML is not laid out as expected: read it whole instead."""


def sheet_part(path: str | os.PathLike[str], sheet_name: str) -> tuple[str, list[str]]:
    """The zip member holding ``sheet_name``, and every worksheet member of the workbook."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        workbook = _find_member(names, "xl/workbook.xml")
        rels_name = posixpath.join(
            posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels"
        )
        book = _parse_xml(zf.read(workbook))
        rels = _parse_xml(zf.read(_find_member(names, rels_name)))
    targets: dict[str, str] = {}
    sheets: list[str] = []
    for rel in rels.iter(f"{{{_NS_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("Type", "").endswith("/worksheet"):
            if target.startswith("/"):
                member = target.lstrip("/")
            else:
                member = posixpath.normpath(posixpath.join(posixpath.dirname(workbook), target))
            targets[rel.get("Id", "")] = member
            sheets.append(member)
    for sheet in book.iter(f"{{{_NS_MAIN}}}sheet"):
        if sheet.get("name") == sheet_name:
            member = targets.get(sheet.get(f"{{{_NS_REL}}}id", ""), "")
            if member:
                return _find_member(names, member), sheets
    raise _Unsplittable(sheet_name)


def _parse_xml(data: bytes) -> ElementTree.Element:
    """A small part of the package. Without a DOCTYPE there are no entities to expand (no
    "billion laughs", no external entities); a part with one is read by calamine instead."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _Unsplittable("DOCTYPE in a package part")
    return ElementTree.fromstring(data)  # noqa: S314 - no DTD, checked above


def _find_member(names: set[str], wanted: str) -> str:
    if wanted in names:
        return wanted
    for name in names:  # zip members are case-sensitive, Excel's paths are not
        if name.lower() == wanted.lower():
            return name
    raise _Unsplittable(wanted)


Block = tuple[int, list[list[Cell]]]


def _block(sheet: CalamineSheet, *, piece: bool) -> Block | None:
    """``(Excel number of the first row, rows)``. calamine's ``iter_rows`` counts rows from the top
    of the sheet but columns from the first used one; ``to_python`` without ``skip_empty_area``
    counts both from the top left, with it both from the used area (a piece starts far down)."""
    start = sheet.start
    if start is None:
        return None
    if not piece:
        return 1, sheet.to_python(skip_empty_area=False)
    first_row, first_col = start
    rows = sheet.to_python()
    if first_col:
        pad: list[Cell] = [""] * first_col
        rows = [pad + values for values in rows]
    return first_row + 1, rows


def _whole(path: str | os.PathLike[str], sheet_name: str) -> Iterator[Block]:
    book = open_workbook(path)
    with book:
        block = _block(book.get_sheet_by_name(sheet_name), piece=False)
    if block is not None:
        yield block


class _Splitter:
    """Cuts the sheet's XML into small workbooks and parses them with calamine (in a thread)."""

    def __init__(self, path: Path, sheet_name: str, member: str, sheets: list[str], chunk_bytes: int) -> None:
        self.path = path
        self.sheet_name = sheet_name
        self.member = member
        self.chunk_bytes = chunk_bytes
        self.others: list[tuple[str, bytes]] = []
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename == member:
                    continue
                data = _EMPTY_SHEET if info.filename in sheets else zf.read(info.filename)
                self.others.append((info.filename, data))
        self.head = b""
        self.close_row = b"</row>"
        self.foot = b""

    def wrap(self, rows: bytes) -> Block | None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for name, data in self.others:
                zf.writestr(name, data)
            zf.writestr(self.member, b"".join((self.head, rows, self.foot)))
        del rows
        buf.seek(0)
        book = open_workbook(buf)
        sheet = book.get_sheet_by_name(self.sheet_name)
        book.close()
        return _block(sheet, piece=True)

    def pieces(self) -> Iterator[bytes]:
        """The rows' XML, cut after a closing row tag, about ``chunk_bytes`` each."""
        with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as raw:
            buffer = b""
            while b"sheetData" not in buffer or buffer.find(b">", buffer.find(b"sheetData")) < 0:
                block = raw.read(_BLOCK)
                if not block:
                    raise _Unsplittable("no sheetData")
                buffer += block
            root = _ROOT.search(buffer)
            if root is None:
                raise _Unsplittable("no worksheet element")
            prefix = root.group("prefix") or b""
            data_tag = re.search(rb"<" + re.escape(prefix) + rb"sheetData\b[^>]*?(/?)>", buffer)
            if data_tag is None:
                raise _Unsplittable("no sheetData element")
            if data_tag.group(1) == b"/":
                return
            decl = buffer[: buffer.find(b">") + 1] if buffer.startswith(b"<?xml") else b""
            self.head = decl + root.group(0) + b"<" + prefix + b"sheetData>"
            self.close_row = b"</" + prefix + b"row>"
            self.foot = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
            end_tag = b"</" + prefix + b"sheetData>"
            buffer = buffer[data_tag.end() :]
            ended = False
            first = True
            while True:
                end = buffer.find(end_tag)
                if end >= 0:
                    buffer = buffer[:end]
                    ended = True
                if len(buffer) >= self.chunk_bytes or ended:
                    cut = len(buffer) if ended else buffer.rfind(self.close_row)
                    if cut > 0:
                        cut = cut if ended else cut + len(self.close_row)
                        piece, buffer = buffer[:cut], buffer[cut:]
                        if first:  # rows without their number cannot be cut apart
                            first = False
                            row = re.search(rb"<" + re.escape(prefix) + rb"row\b[^>]*>", piece)
                            if row is not None and b" r=" not in row.group(0):
                                raise _Unsplittable("row without r attribute")
                        yield piece
                if ended:
                    return
                block = raw.read(_BLOCK)
                if not block:
                    raise _Unsplittable("sheetData not closed")
                buffer += block


def _producer(splitter: _Splitter, out: queue.Queue[Any], stop: threading.Event) -> None:
    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    try:
        for piece in splitter.pieces():
            block = splitter.wrap(piece)
            if block is not None and not put(block):
                return
        put(_DONE)
    except BaseException as exc:  # handed to the consumer, which re-raises it
        put(exc)


def iter_blocks(
    path: str | os.PathLike[str],
    sheet_name: str,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    prefetch: int = 2,
) -> Generator[Block, None, None]:
    """The rows of ``sheet_name`` in blocks of consecutive rows: ``(Excel number of the first row,
    rows)``, in flat memory (module docstring)."""
    path = Path(path)
    try:
        member, sheets = sheet_part(path, sheet_name)
        with zipfile.ZipFile(path) as zf:
            size = zf.getinfo(member).file_size
    except (_Unsplittable, zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        yield from _whole(path, sheet_name)
        return
    if size <= chunk_bytes:
        yield from _whole(path, sheet_name)
        return
    splitter = _Splitter(path, sheet_name, member, sheets, chunk_bytes)
    pieces: queue.Queue[Any] = queue.Queue(maxsize=max(1, prefetch))
    stop = threading.Event()
    worker = threading.Thread(
        target=_producer, args=(splitter, pieces, stop), daemon=True, name="xlsx-reader"
    )
    worker.start()
    produced = False
    try:
        while True:
            item = pieces.get()
            if item is _DONE:
                return
            if isinstance(item, _Unsplittable) and not produced:
                yield from _whole(path, sheet_name)
                return
            if isinstance(item, ExcelError | _Unsplittable):
                raise ExcelError("文件无法读取：工作表的内容不完整或格式不正确。") from item
            if isinstance(item, BaseException):
                raise item
            produced = True
            yield item
            del item
    finally:
        stop.set()
        worker.join(timeout=5)


def iter_rows(
    path: str | os.PathLike[str],
    sheet_name: str,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    prefetch: int = 2,
) -> Generator[tuple[int, list[Cell]], None, None]:
    """Every row of ``sheet_name`` as ``(Excel row number, values)``, in flat memory (module doc)."""
    blocks = iter_blocks(path, sheet_name, chunk_bytes=chunk_bytes, prefetch=prefetch)
    try:
        for first, rows in blocks:
            yield from enumerate(rows, start=first)
    finally:
        blocks.close()


def row_estimate(path: str | os.PathLike[str], sheet_name: str) -> int:
    """About how many rows the sheet has (from its dimension, else from its size), without parsing it."""
    try:
        member, _sheets = sheet_part(path, sheet_name)
        with zipfile.ZipFile(path) as zf:
            size = zf.getinfo(member).file_size
            with zf.open(member) as raw:
                head = raw.read(4096)
    except (_Unsplittable, zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return 0
    found = re.search(rb'<(?:[\w.-]+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    if found:
        return int(found.group(1))
    return size // 1000
