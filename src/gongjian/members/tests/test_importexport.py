"""Excel in and out of the ledgers: template, masked and clear exports, the all-or-nothing import
with its re-import path, the job, pages and API, and the fast pieces it is built from.

ID numbers are generated at run time (``gongjian.core.synthetic.id_number``); assertion messages
never carry one."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
from pathlib import Path
from typing import Any

import opencc
import openpyxl
import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from gongjian.core import jobs as core_jobs
from gongjian.core import pii
from gongjian.core.excel import open_workbook
from gongjian.core.models import AuditEntry, Job
from gongjian.core.synthetic import id_number
from gongjian.core.text import initials, search_key
from gongjian.core.xlsxstream import iter_rows
from gongjian.members import bulk, importexport, services
from gongjian.members.importexport import (
    HEADERS,
    SHEET,
    export_ledger,
    import_ledger,
    ledger_import,
    template_workbook,
)
from gongjian.members.models import ID_PURPOSE, Category, Member, MemberCategory, parse_id_number
from gongjian.stats import tally
from gongjian.stats.indicators import compute_all, from_rows

BIRTH = dt.date(1975, 3, 14)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx(rows: list[list[Any]], sheet: str = SHEET, headers: list[str] | None = None) -> bytes:
    """A workbook built at run time; text always as text."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet(sheet)
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, values in enumerate([headers or HEADERS, *rows]):
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            else:
                ws.write(r, c, value)
    wb.close()
    return buf.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "ledger.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def ident(n: int, birth: dt.date = BIRTH, male: bool = True) -> str:
    return id_number(n, birth=birth, male=male)


def row(world, n: int, **over: Any) -> list[Any]:
    values = {
        "姓名": f"台账{n}",
        "性别": "男",
        "民族": "汉族",
        "出生日期": BIRTH,
        "身份证号": ident(n),
        "联系电话": f"138000{n:05d}",
        "学历": "大学本科",
        "入党时间": dt.date(2000, 7, 1),
        "党员类型": "正式",
        "党籍状态": "正常",
        "所在党组织代码": world.wjl_committee.code,
        "居住区划代码": world.wjl_building.code,
        "工作单位信用代码": "",
        "工作单位名称": "",
        "台账类别": "直管",
        "困难党员": "否",
        "失联党员": "否",
        "志愿者编号": "",
        "系统编号": "",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def cells(data: bytes, sheet: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [[c.value for c in r] for r in wb[sheet].iter_rows()]


def state() -> tuple[int, int, int]:
    return Member.objects.count(), MemberCategory.objects.count(), AuditEntry.objects.count()


def no_clear_ids(data: bytes, numbers: list[str]) -> bool:
    text = str(cells(data, open_workbook(data).sheet_names[0])) + str(
        [cells(data, s) for s in open_workbook(data).sheet_names]
    )
    return not any(n in text for n in numbers)


def imported(world, tmp_path, rows: list[list[Any]], actor=None, name: str = "ledger.xlsx"):
    return import_ledger(actor=actor or world.wjl_admin, path=write(tmp_path, xlsx(rows), name))


# --- the fast pieces agree with the slow ones --------------------------------------------------


def test_sealer_and_id_checker_agree_with_pii_and_parse_id_number(world):
    sealer, checker = bulk.Sealer(), bulk.IdChecker()
    rng = random.Random(7)
    for n in range(300):
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(27000))
        number = id_number(n, area_code=rng.choice(["430121", "430104", "430105", "110101"]), birth=birth)
        if rng.random() < 0.3:  # a wrong check character
            number = number[:17] + ("0" if number[17] != "0" else "1")
        try:
            expected: Any = parse_id_number(number)
        except ValidationError:
            expected = "invalid"
        try:
            got: Any = checker.check(number)
        except ValidationError:
            got = "invalid"
        assert got == expected, "the fast check and parse_id_number disagree (number not shown)"
    compact = ident(1)
    assert sealer.id_index(compact) == pii.blind_index(compact, purpose=ID_PURPOSE)
    assert pii.unseal(sealer.seal(compact, ID_PURPOSE), purpose=ID_PURPOSE) == compact
    sealed, index, masked = sealer.phone(" 138-0001-2345 ")
    assert pii.unseal(sealed, purpose="member.phone") == "138-0001-2345"
    assert index == pii.blind_index("138-0001-2345", purpose="member.phone") and masked == "138****2345"
    names = bulk.NameKeys()
    for name in ["王家垅", "曾国藩", "單于", "欧阳修", "长沙", "阿依古丽·买买提", "Li Lei"]:
        assert names(name) == (search_key(name), initials(name))


def test_chunked_reader_gives_the_same_rows_as_calamine(tmp_path):
    rows = [[f"名{i}", i, dt.date(2000, 1, 1) + dt.timedelta(days=i), "", f"x{i}"] for i in range(3000)]
    rows[10] = ["", "", "", "", ""]  # a blank row inside
    path = write(tmp_path, xlsx(rows, headers=["a", "b", "c", "d", "e"]))
    whole = list(iter_rows(path, SHEET))
    pieces = list(iter_rows(path, SHEET, chunk_bytes=20_000))
    assert len(whole) == 3001 and whole == pieces
    assert pieces[-1][0] == 3001 and pieces[-1][1][0] == "名2999"


# --- template ---------------------------------------------------------------------------------


def test_template_round_trip(world, tmp_path):
    data = template_workbook()
    book = open_workbook(data)
    assert book.sheet_names == [SHEET, "说明"]
    sheet = cells(data, SHEET)
    assert sheet[0] == HEADERS
    assert sheet[1][0].startswith("【示例】")
    assert "身份证号" in str(cells(data, "说明"))
    before = state()
    result = import_ledger(actor=world.wjl_admin, path=write(tmp_path, data))
    assert result.ok and result.rows == 0 and state() == before
    # the template filled in imports
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[SHEET].append(row(world, 1))
    buf = io.BytesIO()
    wb.save(buf)
    result = import_ledger(actor=world.wjl_admin, path=write(tmp_path, buf.getvalue(), "filled.xlsx"))
    assert result.ok and result.created == 1, result.errors


# --- import -----------------------------------------------------------------------------------


def test_import_creates_members_ledgers_and_a_masked_audit_entry(world, tmp_path):
    rows = [
        row(world, 1, 台账类别="直管、流动", 困难党员="是"),
        row(
            world,
            2,
            性别="",
            出生日期="",
            台账类别="在职",
            所在党组织代码=world.minzheng_org.code,
            工作单位信用代码=world.minzheng.credit_code,
        ),
        row(
            world, 3, 联系电话="", 学历="大专", 党员类型="预备党员", 台账类别="离退休", 工作单位名称="某某厂"
        ),
    ]
    result = imported(world, tmp_path, rows)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged, result.rows) == (3, 0, 0, 3)
    m1 = Member.objects.get(name="台账1")
    assert m1.id_number_clear() == ident(1) and m1.birth_date == BIRTH and m1.gender == "M"
    assert m1.phone_clear() == "13800000001" and m1.phone_masked == "138****0001"
    assert m1.name_key == search_key("台账1") and m1.initials == initials("台账1")
    open_ = lambda m: set(  # noqa: E731
        MemberCategory.objects.filter(member=m, until__isnull=True).values_list("category", flat=True)
    )
    assert open_(m1) == {Category.DIRECT, Category.MOBILE, Category.HARDSHIP}
    m2 = Member.objects.get(name="台账2")
    assert m2.work_unit == world.minzheng and m2.org == world.minzheng_org
    entry = MemberCategory.objects.get(member=m2)
    assert entry.category == Category.IN_SERVICE and entry.area == world.wjl  # where they live
    m3 = Member.objects.get(name="台账3")
    assert (m3.education, m3.standing, m3.phone_masked, m3.work_unit_name) == (
        "college",
        "probationary",
        "",
        "某某厂",
    )
    audit = AuditEntry.objects.get(action="member.import_create")
    assert [m.split()[1] for m in audit.changes["members"]] == [
        pii.mask_id_number(ident(n)) for n in (1, 2, 3)
    ]
    assert audit.changes["members"][0] == f"{m1.pk} {m1.id_number_masked} 台账1"
    assert not any(ident(n) in str(audit.changes) for n in (1, 2, 3))


@pytest.mark.parametrize("waiting", [importexport.FIGURES_WAITING, 1])
def test_the_figures_are_kept_for_every_member_imported(world, tmp_path, monkeypatch, waiting):
    # kept once at the end, or (waiting=1) after every batch of two rows
    monkeypatch.setattr(ledger_import, "FIGURES_WAITING", waiting)
    monkeypatch.setattr(ledger_import, "BATCH", 2)
    today = dt.date.today()
    before = compute_all(world.wjl, today)
    rows = [row(world, n) for n in range(1, 6)]
    rows += [row(world, n, 台账类别="离退休") for n in range(6, 9)]
    result = imported(world, tmp_path, rows)
    assert result.ok, result.errors
    after = compute_all(world.wjl, today)
    assert after["members.direct"] == before["members.direct"] + 5
    assert after["members.retired"] == before["members.retired"] + 3
    assert after == from_rows(world.wjl, today)
    assert tally.verify() == {}


def test_export_then_reimport_changes_nothing(world, tmp_path):
    rows = [row(world, n, 台账类别="直管" if n % 2 else "离退休、流动") for n in range(1, 6)]
    rows.append(
        row(world, 6, 姓名="=1+1", 党籍状态="去世", 台账类别="", 所在党组织代码=world.wjl_branch.code)
    )
    assert imported(world, tmp_path, rows).ok
    before = state()
    for clear in (False, True):
        data = export_ledger(actor=world.wjl_admin, area=world.wjl, clear=clear, reason="核对台账")
        after_export = state()
        result = import_ledger(actor=world.wjl_admin, path=write(tmp_path, data, f"export-{clear}.xlsx"))
        assert result.ok, result.errors
        assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
        assert state() == after_export  # no rows, no audit entries
    assert state()[:2] == before[:2]
    # a street administrator's export of the same members re-imports the same way
    data = export_ledger(actor=world.dongfeng_admin, area=world.dongfeng)
    result = import_ledger(actor=world.dongfeng_admin, path=write(tmp_path, data, "street.xlsx"))
    assert result.ok and result.unchanged == 6


def test_one_bad_row_changes_nothing_and_returns_the_reason_in_chinese(world, tmp_path):
    bad_id = ident(4)[:17] + ("0" if ident(4)[17] != "0" else "1")
    rows = [row(world, 1), row(world, 2), row(world, 3), row(world, 4, 身份证号=bad_id)]
    before = state()
    result = imported(world, tmp_path, rows)
    assert not result.ok and state() == before
    assert [(e.row, e.reason) for e in result.errors] == [
        (5, "身份证号无效（应为 18 位，末位为校验码，出生日期和地区码须有效）")
    ]
    assert result.summary() == {
        "ok": False,
        "errors": 1,
        "bad_rows": 1,
        "rows": 4,
        "file_level": False,
        "reasons": [{"sheet": SHEET, "row": 5, "reason": result.errors[0].reason}],
    }
    book = result.error_workbook
    assert book is not None
    summary = cells(book, "错误汇总")
    assert summary[0] == ["工作表", "行号", "错误原因"] and summary[1][1] == 5
    copy = cells(book, SHEET)
    assert copy[0][0] == "行号" and copy[0][-1] == "错误原因" and copy[1][0] == 5
    header = copy[0]
    # the uploader's own values, so the row can be corrected there and imported again (the job
    # keeps the workbook sealed, for the uploader only, 24 hours)
    assert copy[1][header.index("身份证号")] == bad_id
    assert copy[1][header.index("联系电话")] == "13800000004"
    assert str(copy[1][header.index("出生日期")]).startswith("1975-")


def test_many_kinds_of_bad_rows_are_all_reported(world, tmp_path):
    _member = services.member_create(
        actor=world.jsh_admin,
        name="尖山湖党员",
        id_number=ident(50),
        org=world.jsh_branch,
        joined_on=dt.date(2001, 7, 1),
    )
    rows = [
        row(world, 1),
        row(world, 1, 姓名="重复"),
        row(world, 2, 性别="女"),
        row(world, 3, 出生日期=dt.date(1975, 3, 15)),
        row(world, 4, 入党时间=dt.date(1960, 1, 1)),
        row(world, 5, 所在党组织代码="PO-NOPE"),
        row(world, 6, 所在党组织代码=world.jsh_branch.code),
        row(world, 7, 居住区划代码=world.jsh_compound.code),
        row(world, 8, 学历="幼儿园"),
        row(world, 9, 台账类别="在职", 居住区划代码=""),
        row(world, 10, 党籍状态="去世"),
        row(world, 11, 联系电话="138****0011"),
        row(world, 12, 身份证号=pii.mask_id_number(ident(12))),
        row(world, 50),
        row(world, 13, 身份证号=int(ident(13)[:17])),
        row(world, 14, 工作单位信用代码="91430100XXXXXXXXX1"),
        row(world, 15, 入党时间="昨天"),
    ]
    before = state()
    result = imported(world, tmp_path, rows)
    assert not result.ok and state() == before
    reasons = {e.row: e.reason for e in result.errors}
    assert reasons[3] == "身份证号与第 2 行重复"
    assert reasons[4] == "性别与身份证号不符"
    assert reasons[5] == "出生日期与身份证号不符"
    assert reasons[6] == "入党时间不能早于出生日期"
    assert reasons[7] == "所在党组织代码“PO-NOPE”不存在或不在您的管辖范围内"
    assert reasons[8] == f"所在党组织代码“{world.jsh_branch.code}”不存在或不在您的管辖范围内"
    assert reasons[9] == f"居住区划代码“{world.jsh_compound.code}”不存在或不在您的管辖范围内"
    assert reasons[10].startswith("学历“幼儿园”无效")
    assert reasons[11] == "在职党员须填写居住区划代码（社区、村或以下）"
    assert reasons[12] == "党籍状态为“去世”时，台账类别、困难党员、失联党员须为空"
    assert reasons[13].startswith("联系电话是脱敏号码")
    assert reasons[14].startswith("身份证号是脱敏号码")
    assert reasons[15] == "该党员已在其他社区台账：芯****支部"  # 芯城小区党支部, masked
    assert reasons[16].startswith("身份证号须以文本格式填写")
    assert reasons[17].startswith("工作单位信用代码")
    assert reasons[18].startswith("入党时间：")
    assert 2 not in reasons and result.bad_rows == 16
    # the reasons never repeat a number (the rows' own values are beside them, in the sealed copy)
    reasons_text = str(cells(result.error_workbook or b"", "错误汇总")) + str(result.summary())
    assert not any(n in reasons_text for n in [ident(n) for n in range(1, 16)] + [ident(50)])


def test_a_person_already_in_another_community_is_flagged(world, tmp_path):
    assert imported(world, tmp_path, [row(world, 1)]).ok
    other = row(world, 1, 所在党组织代码=world.jsh_branch.code, 居住区划代码=world.jsh_compound.code)
    result = imported(world, tmp_path, [other], actor=world.jsh_admin, name="jsh.xlsx")
    assert not result.ok
    assert [e.reason for e in result.errors] == ["该党员已在其他社区台账：王****党委"]  # 王家垅社区党委
    assert "王家垅" not in str(cells(result.error_workbook or b"", "错误汇总"))


def test_a_changed_phone_updates_exactly_that_member_audited_and_masked(world, tmp_path):
    rows = [row(world, n) for n in range(1, 4)]
    assert imported(world, tmp_path, rows).ok
    before = {m.pk: (m.phone_index, m.updated_at) for m in Member.objects.all()}
    entries = AuditEntry.objects.count()
    rows[1] = row(world, 2, 联系电话="13800099999")
    result = imported(world, tmp_path, rows, name="changed.xlsx")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 2)
    changed = Member.objects.get(name="台账2")
    assert changed.phone_clear() == "13800099999"
    for m in Member.objects.exclude(pk=changed.pk):
        assert (m.phone_index, m.updated_at) == before[m.pk]
    assert AuditEntry.objects.count() == entries + 1
    audit = AuditEntry.objects.get(action="member.import_update")
    assert audit.changes["members"] == [
        [changed.pk, "台账2", pii.mask_id_number(ident(2)), {"phone": ["138****0002", "138****9999"]}]
    ]
    assert "13800099999" not in str(audit.changes)


def test_a_masked_export_edited_and_reimported_updates_by_system_id(world, tmp_path):
    assert imported(world, tmp_path, [row(world, n, 台账类别="直管、流动") for n in range(1, 4)]).ok
    data = export_ledger(actor=world.wjl_admin, area=world.wjl)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    target = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "台账3")
    target[header.index("学历")].value = "研究生"
    target[header.index("台账类别")].value = "直管"
    target[header.index("失联党员")].value = "是"
    buf = io.BytesIO()
    wb.save(buf)
    result = import_ledger(actor=world.wjl_admin, path=write(tmp_path, buf.getvalue(), "edited.xlsx"))
    assert result.ok and (result.updated, result.unchanged) == (1, 2), result.errors
    m = Member.objects.get(name="台账3")
    assert m.education == "postgraduate"
    current = set(
        MemberCategory.objects.filter(member=m, until__isnull=True).values_list("category", flat=True)
    )
    assert current == {Category.DIRECT, Category.LOST_CONTACT}
    ended = MemberCategory.objects.get(member=m, category=Category.MOBILE)
    assert ended.until is not None  # history kept, not deleted


def test_leaving_normal_status_ends_every_ledger(world, tmp_path):
    assert imported(world, tmp_path, [row(world, 1, 台账类别="直管、流动", 困难党员="是")]).ok
    result = imported(
        world, tmp_path, [row(world, 1, 党籍状态="去世", 台账类别="", 困难党员="否")], name="b.xlsx"
    )
    assert result.ok and result.updated == 1
    m = Member.objects.get()
    assert m.status == "deceased"
    assert not MemberCategory.objects.filter(member=m, until__isnull=True).exists()


def test_the_organisation_holding_a_membership_moves_only_by_a_transfer(world, tmp_path):
    assert imported(world, tmp_path, [row(world, 1)]).ok
    result = imported(world, tmp_path, [row(world, 1, 所在党组织代码=world.wjl_branch.code)], name="b.xlsx")
    assert not result.ok
    assert result.errors[0].reason.startswith(
        f"不能通过导入改变所在党组织（现为“{world.wjl_committee.code}”）"
    )


def test_traditional_headers_and_values_are_accepted(world, tmp_path):
    t2 = opencc.OpenCC("s2t")
    headers = [t2.convert(h) for h in HEADERS]
    assert headers != HEADERS and "黨員類型" in headers
    values = row(world, 1, 党员类型="預備", 台账类别="離退休、流動", 困难党员="是", 学历="大學本科")
    result = import_ledger(
        actor=world.wjl_admin, path=write(tmp_path, xlsx([values], sheet="黨員臺賬", headers=headers))
    )
    assert result.ok and result.created == 1, result.errors
    m = Member.objects.get()
    assert m.standing == "probationary" and m.education == "bachelor"
    assert set(MemberCategory.objects.filter(member=m).values_list("category", flat=True)) == {
        Category.RETIRED,
        Category.MOBILE,
        Category.HARDSHIP,
    }


def test_scope_wjl_admin_cannot_import_into_jianshanhu(world, tmp_path):
    rows = [row(world, 1, 所在党组织代码=world.jsh_branch.code, 居住区划代码=world.jsh_compound.code)]
    before = state()
    result = imported(world, tmp_path, rows)
    assert not result.ok and state() == before
    assert {e.reason for e in result.errors} == {
        f"所在党组织代码“{world.jsh_branch.code}”不存在或不在您的管辖范围内",
        f"居住区划代码“{world.jsh_compound.code}”不存在或不在您的管辖范围内",
    }
    result = imported(world, tmp_path, rows, actor=world.resident, name="r.xlsx")
    assert not result.ok and "没有导入党员台账的权限" in result.errors[0].reason
    # the community's own administrator can
    assert imported(world, tmp_path, rows, actor=world.jsh_admin, name="j.xlsx").ok


def test_formula_injection_is_neutralised_on_export_and_undone_on_import(world, tmp_path):
    rows = [row(world, 1, 姓名='=HYPERLINK("http://x")', 工作单位名称="@SUM(A1)", 志愿者编号="+1")]
    assert imported(world, tmp_path, rows).ok
    m = Member.objects.get()
    assert m.name == '=HYPERLINK("http://x")' and m.work_unit_name == "@SUM(A1)"
    data = export_ledger(actor=world.wjl_admin, area=world.wjl)
    first = cells(data, SHEET)[1]
    assert first[0] == '\'=HYPERLINK("http://x")' and first[HEADERS.index("工作单位名称")] == "'@SUM(A1)"
    assert first[HEADERS.index("志愿者编号")] == "'+1"
    result = import_ledger(actor=world.wjl_admin, path=write(tmp_path, data, "again.xlsx"))
    assert result.ok and result.unchanged == 1


def test_exports_are_masked_by_default_and_a_clear_export_needs_permission_and_a_reason(
    world, tmp_path, monkeypatch
):
    assert imported(world, tmp_path, [row(world, n) for n in range(1, 4)]).ok
    numbers = [ident(n) for n in range(1, 4)] + [f"138000{n:05d}" for n in range(1, 4)]
    masked = export_ledger(actor=world.wjl_admin, area=world.wjl)
    sheet = cells(masked, SHEET)
    assert no_clear_ids(masked, numbers) and "1975-03-14" not in str(sheet)
    assert sheet[1][HEADERS.index("出生日期")] == "1975-**-**"
    assert sheet[1][HEADERS.index("身份证号")] == pii.mask_id_number(ident(1))
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        export_ledger(actor=world.wjl_admin, area=world.wjl, clear=True, reason=" ")
    with pytest.raises(Http404):
        export_ledger(actor=world.jsh_admin, area=world.wjl, clear=True, reason="查看")
    real = services.member_change_allowed
    monkeypatch.setattr(
        services,
        "member_change_allowed",
        lambda *, actor, member: member.name != "台账2" and real(actor=actor, member=member),
    )
    with pytest.raises(PermissionDenied):
        export_ledger(actor=world.wjl_admin, area=world.wjl, clear=True, reason="核对")
    assert AuditEntry.objects.count() == entries
    monkeypatch.setattr(services, "member_change_allowed", real)
    clear = export_ledger(actor=world.wjl_admin, area=world.wjl, clear=True, reason="换届核对")
    assert ident(1) in str(cells(clear, SHEET))
    audit = AuditEntry.objects.get(action="pii.export")
    assert (
        audit.reason == "换届核对" and audit.changes["members"] == 3 and audit.object_id == str(world.wjl.pk)
    )
    # nobody else's members are in the community's ledger export
    assert export_ledger(actor=world.jsh_admin, area=world.jsh) != b"" and not any(
        "台账" in str(c) for c in cells(export_ledger(actor=world.jsh_admin, area=world.jsh), SHEET)[1:]
    )


# --- the job, pages and API -------------------------------------------------------------------


def _upload(data: bytes, name: str = "ledger.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_job_runs_and_records_progress(world, tmp_path, django_capture_on_commit_callbacks, settings):
    seen: list[tuple[int, int]] = []
    path = write(tmp_path, xlsx([row(world, n) for n in range(1, 6)]))
    assert import_ledger(actor=world.wjl_admin, path=path, progress=lambda d, t: seen.append((d, t))).ok
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))

    data = xlsx([row(world, n) for n in range(6, 11)])
    with django_capture_on_commit_callbacks(execute=True):
        job = importexport.ledger_import_start(actor=world.wjl_admin, upload=_upload(data))
    job.refresh_from_db()
    assert job.kind == "members.ledger_import" and job.status == Job.Status.DONE
    assert job.total == job.done == 5 and job.result["created"] == 5
    assert not (Path(settings.MEDIA_ROOT) / job.input_file).exists()  # clear ID numbers not kept

    bad = xlsx([row(world, 11, 所在党组织代码="PO-NOPE")])
    with django_capture_on_commit_callbacks(execute=True):
        job = importexport.ledger_import_start(actor=world.wjl_admin, upload=_upload(bad))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result == {
        "ok": False,
        "errors": 1,
        "bad_rows": 1,
        "rows": 1,
        "file_level": False,
        "reasons": [
            {"sheet": SHEET, "row": 2, "reason": "所在党组织代码“PO-NOPE”不存在或不在您的管辖范围内"}
        ],
    }
    assert not (Path(settings.MEDIA_ROOT) / job.result_file).read_bytes().startswith(b"PK")  # sealed
    data, _name = core_jobs.job_result_open(actor=world.wjl_admin, job=job)
    reasons = str(cells(data, "错误汇总"))
    assert "PO-NOPE" in reasons and ident(11) not in reasons


def test_pages_import_template_and_exports(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.wjl_admin)
    page = client.get(reverse("members:import"))
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.content
    assert reverse("members:import_template").encode() in page.content
    assert (
        client.post(reverse("members:import"), {"file": _upload(b"%PDF-1.4\n", "x.pdf")}).status_code == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("members:import"), {"file": _upload(xlsx([row(world, 1)]))})
    job = Job.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("core:job", args=[job.pk])
    assert client.get(resp["Location"]).status_code == 200 and Member.objects.count() == 1

    resp = client.get(reverse("members:import_template"))
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    page = client.get(reverse("members:export", args=[world.wjl.pk]))
    assert page.status_code == 200 and b'data-count="1"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("members:export", args=[world.wjl.pk]))
    job = Job.objects.get(kind="members.ledger_export")
    assert resp.status_code == 302 and resp["Location"] == reverse("core:job", args=[job.pk])
    job_page = client.get(resp["Location"]).content.decode()
    assert reverse("core:job_download", args=[job.pk]) in job_page
    resp = client.get(reverse("core:job_download", args=[job.pk]))
    assert resp.status_code == 200 and "no-store" in resp["Cache-Control"]
    workbook = b"".join(resp.streaming_content)
    assert pii.mask_id_number(ident(1)) in str(cells(workbook, SHEET))
    assert client.get(reverse("members:export", args=[world.jsh.pk])).status_code == 404
    assert client.post(reverse("members:export", args=[world.jsh.pk])).status_code == 404

    url = reverse("members:export_clear", args=[world.wjl.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(url, {"reason": "上级抽查"})
    job = Job.objects.filter(kind="members.ledger_export").latest("pk")
    assert resp.status_code == 302 and resp["Location"] == reverse("core:job", args=[job.pk])
    assert AuditEntry.objects.filter(action="pii.export", reason="上级抽查").count() == 1
    resp = client.get(reverse("core:job_download", args=[job.pk]))
    assert resp.status_code == 200 and ident(1) in str(cells(resp.content, SHEET))
    assert "no-store" in resp["Cache-Control"]

    client.force_login(world.resident)
    assert client.post(reverse("members:import"), {"file": _upload(xlsx([row(world, 2)]))}).status_code == 403


def test_api_import_export_template(world, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(world.wjl_admin)
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(
            reverse("api-ledger-import"), {"file": _upload(xlsx([row(world, 1)]))}, format="multipart"
        )
    assert resp.status_code == 202, resp.content
    job = api.get(resp.json()["url"]).json()
    assert job["status"] == "done" and job["result"]["created"] == 1 and job["percent"] == 100
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(
            reverse("api-ledger-import"),
            {"file": _upload(xlsx([row(world, 1), row(world, 9)])), "dry_run": "true"},
            format="multipart",
        )
    job = api.get(resp.json()["url"]).json()
    assert job["result"]["dry_run"] and (job["result"]["created"], job["result"]["unchanged"]) == (1, 1)
    assert Member.objects.count() == 1  # checked only
    export = reverse("api-ledger-export")
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(export, {"area": world.wjl.pk}, format="json")
    assert resp.status_code == 202, resp.content
    job = api.get(resp.json()["url"]).json()
    assert job["status"] == "done" and job["result"] == {"exported": 1, "clear": False}
    workbook = api.get(resp.json()["download"])
    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(workbook.streaming_content)
    assert ident(1) not in str(cells(data, SHEET)) and pii.mask_id_number(ident(1)) in str(cells(data, SHEET))
    assert api.post(export, {"area": world.jsh.pk}, format="json").status_code == 404
    assert api.post(export, {"area": "x"}, format="json").status_code == 400
    assert api.post(export, {}, format="json").status_code == 400
    assert api.get(export, {"area": world.wjl.pk}).status_code == 405
    assert api.post(export, {"area": world.wjl.pk, "clear": True}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(export, {"area": world.wjl.pk, "clear": True, "reason": "核对"}, format="json")
    assert resp.status_code == 202
    assert ident(1) in str(cells(api.get(resp.json()["download"]).content, SHEET))
    assert api.get(reverse("api-ledger-template")).status_code == 200
    outsider = APIClient()
    outsider.force_authenticate(world.resident)
    resp = outsider.post(
        reverse("api-ledger-import"), {"file": _upload(xlsx([row(world, 2)]))}, format="multipart"
    )
    assert resp.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_import_writes_on_a_second_thread(transactional_db, world, tmp_path, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
    monkeypatch.setattr(ledger_import, "THREAD_MIN_ROWS", 0)
    monkeypatch.setattr(ledger_import, "BATCH", 2)
    monkeypatch.setattr(ledger_import, "STATISTICS_MIN_ROWS", 7)
    rows = [row(world, n) for n in range(1, 8)]
    result = imported(world, tmp_path, rows)
    assert result.ok and result.created == 7, result.errors
    # a large import leaves the planner statistics of what it wrote (ANALYZE), not of empty tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Member._meta.db_table])
        assert cursor.fetchone()[0] == Member.objects.count()
    assert AuditEntry.objects.filter(action="member.import_create").count() == 4  # one a batch
    rows.append(row(world, 3, 姓名="重复"))
    before = state()
    result = imported(world, tmp_path, [*rows[1:], row(world, 20, 所在党组织代码="PO-NOPE")], name="b.xlsx")
    assert not result.ok and state() == before
    again = imported(world, tmp_path, rows[:7], name="c.xlsx")
    assert again.ok and again.unchanged == 7
    # the figures of the members written on the second thread were kept too
    assert tally.verify() == {}
