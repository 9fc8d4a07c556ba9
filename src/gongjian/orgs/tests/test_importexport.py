"""Excel in and out of the map: template, export, the all-or-nothing import, the job, pages and API."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from gongjian.core.excel import SheetReader, open_workbook
from gongjian.core.jobs import job_result_open
from gongjian.core.models import AuditEntry, Job
from gongjian.orgs import importexport, services
from gongjian.orgs.importexport import (
    AREA_COLUMNS,
    ORG_COLUMNS,
    SHEET_AREAS,
    SHEET_ORGS,
    SHEET_UNITS,
    UNIT_COLUMNS,
    export_subtree,
    import_map,
    template_workbook,
)
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit
from gongjian.testing import credit_code

AREA_H = [c.header for c in AREA_COLUMNS]
ORG_H = [c.header for c in ORG_COLUMNS]
UNIT_H = [c.header for c in UNIT_COLUMNS]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook built at run time; text always as text."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    wb.close()
    return buf.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "map.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def snapshot_counts() -> tuple[int, int, int, int]:
    return (
        Area.objects.count(),
        PartyOrg.objects.count(),
        ResidentUnit.objects.count(),
        AuditEntry.objects.count(),
    )


def rows_of(data: bytes, sheet: str) -> list[list[object]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [[c.value for c in row] for row in wb[sheet].iter_rows()]


def unit_row(code: str, name: str, area_code: str, **extra: object) -> list[object]:
    values = {
        "统一社会信用代码": code,
        "名称": name,
        "类别": "非公企业",
        "级别": "无",
        "所在区划代码": area_code,
        **extra,
    }
    return [values.get(h, "") for h in UNIT_H]


# --- template ---------------------------------------------------------------------------------


def test_template_round_trip(world, tmp_path):
    data = template_workbook()
    book = open_workbook(data)
    assert book.sheet_names == [SHEET_AREAS, SHEET_ORGS, SHEET_UNITS, "说明"]
    for sheet, columns in (
        (SHEET_AREAS, AREA_COLUMNS),
        (SHEET_ORGS, ORG_COLUMNS),
        (SHEET_UNITS, UNIT_COLUMNS),
    ):
        reader = SheetReader.open(book, sheet, columns)
        assert reader.missing == []
        assert set(reader.index) == {c.key for c in columns}
        assert list(reader.records()) == []  # only the example row, which is skipped
    help_text = str(rows_of(data, "说明"))
    for allowed in ("小区网格", "联合党支部", "社会组织", "中央", "统一社会信用代码"):
        assert allowed in help_text
    example = rows_of(data, SHEET_AREAS)[1]
    assert str(example[0]).startswith("【示例】") and "示例" in str(example[1])

    before = snapshot_counts()
    result = import_map(actor=world.kaifu_admin, path=write(tmp_path, data))
    assert result.ok, result.errors
    assert result.total("created") == result.total("updated") == result.total("unchanged") == 0
    assert snapshot_counts() == before


# --- export -----------------------------------------------------------------------------------


def test_export_masks_phones_and_neutralises_formulas(world):
    services.area_update(actor=world.superuser, area=world.wjl_compound, name='=HYPERLINK("http://x")庭院')
    services.unit_update(actor=world.superuser, unit=world.minzheng, address="+1+1 路")
    data = export_subtree(actor=world.wjl_admin, area=world.wjl)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    names = [row[1].value for row in wb[SHEET_AREAS].iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x")庭院' in names
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert "13800001234" not in str(cell.value)
    units = rows_of(data, SHEET_UNITS)
    assert units[0] == UNIT_H
    minzheng = next(r for r in units if r[0] == world.minzheng.credit_code)
    assert minzheng[UNIT_H.index("联系电话")] == "138****1234"
    assert minzheng[UNIT_H.index("地址")] == "'+1+1 路"
    assert minzheng[UNIT_H.index("类别")] == "机关" and minzheng[UNIT_H.index("级别")] == "省"


def test_export_is_scoped(world):
    data = export_subtree(actor=world.wjl_admin, area=world.wjl)
    text = str([rows_of(data, s) for s in (SHEET_AREAS, SHEET_ORGS, SHEET_UNITS)])
    assert "王家垅社区" in text and "30号庭院党支部" in text and "湖南省民政厅" in text
    assert "尖山湖" not in text and "芯城" not in text
    from django.http import Http404

    with pytest.raises(Http404):
        export_subtree(actor=world.wjl_admin, area=world.jsh)


@pytest.mark.parametrize(
    "who,where", [("wjl_admin", "wjl"), ("kaifu_admin", "kaifu"), ("city_admin", "changsha")]
)
def test_export_then_import_changes_nothing(world, tmp_path, who, where):
    actor, area = getattr(world, who), getattr(world, where)
    services.area_update(actor=world.superuser, area=world.wjl_compound, name="=1+1庭院")
    data = export_subtree(actor=actor, area=area)
    before = snapshot_counts()
    result = import_map(actor=actor, path=write(tmp_path, data))
    assert result.ok, result.errors
    assert result.total("created") == 0 and result.total("updated") == 0
    assert result.total("unchanged") == result.rows > 0
    assert snapshot_counts() == before  # no rows and no audit entries
    world.minzheng.refresh_from_db()
    assert world.minzheng.contact_phone_clear() == "13800001234"  # the masked phone did not overwrite it
    world.wjl_compound.refresh_from_db()
    assert world.wjl_compound.name == "=1+1庭院"


# --- import -----------------------------------------------------------------------------------


def test_import_creates_with_parents_after_children_then_updates(world, tmp_path):
    wjl = world.wjl.code
    code = credit_code(3003)
    data = xlsx(
        {
            SHEET_AREAS: [
                AREA_H,
                [f"{wjl}-B1", "9栋", "楼栋", f"{wjl}-C9", "楼栋", "", ""],  # child before its parent
                [f"{wjl}-C9", "新9号庭院", "小区网格", wjl, "庭院", "是", "2018-03-01"],
            ],
            SHEET_ORGS: [
                ORG_H,
                ["PO-NEW-G", "9号庭院党小组", "党小组", f"{wjl}-B1", "", "PO-NEW-B", ""],
                ["PO-NEW-B", "9号庭院党支部", "党支部", f"{wjl}-C9", "", "PO-WJL", "王某"],
                ["PO-NEW-U", "新企业党支部", "党支部", "", code, "PO-WJL", ""],
            ],
            SHEET_UNITS: [
                UNIT_H,
                unit_row(
                    code, "新企业", f"{wjl}-C9", 纬度=28.2, 经度=112.98, 联系电话="13800009999", 注册企业数=3
                ),
            ],
        }
    )
    before = snapshot_counts()
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert result.ok, result.errors
    assert result.total("created") == 6
    assert snapshot_counts()[:3] == (before[0] + 2, before[1] + 3, before[2] + 1)
    assert snapshot_counts()[3] == before[3] + 6  # each write audited
    compound = Area.objects.get(code=f"{wjl}-C9")
    building = Area.objects.get(code=f"{wjl}-B1")
    assert Area.objects.get_parent(compound) == world.wjl
    assert Area.objects.get_parent(building) == compound
    assert compound.old_compound and str(compound.since) == "2018-03-01"
    assert building.level == Level.BUILDING
    unit = ResidentUnit.objects.get(credit_code=code)
    assert unit.area == compound and unit.contact_phone_masked == "138****9999" and unit.hosted_firms == 3
    assert str(unit.lat) == "28.200000"
    group = PartyOrg.objects.get(code="PO-NEW-G")
    assert group.parent.code == "PO-NEW-B" and group.parent.parent == world.wjl_committee
    assert PartyOrg.objects.get(code="PO-NEW-U").unit == unit

    # Again, the same file: nothing changes.
    mid = snapshot_counts()
    again = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert again.ok and again.total("unchanged") == 6 and again.total("created") == 0
    assert snapshot_counts() == mid

    # One name changed, one phone changed: two updates, two audit entries.
    changed = xlsx(
        {
            SHEET_AREAS: [AREA_H, [f"{wjl}-C9", "新九号庭院", "小区网格", wjl, "庭院", "是", ""]],
            SHEET_UNITS: [
                UNIT_H,
                unit_row(
                    code, "新企业", f"{wjl}-C9", 纬度=28.2, 经度=112.98, 联系电话="13800008888", 注册企业数=3
                ),
            ],
        }
    )
    third = import_map(actor=world.wjl_admin, path=write(tmp_path, changed))
    assert third.ok, third.errors
    assert third.total("updated") == 2 and third.total("created") == 0
    assert snapshot_counts() == (*mid[:3], mid[3] + 2)
    compound.refresh_from_db()
    assert compound.name == "新九号庭院" and str(compound.since) == "2018-03-01"
    unit.refresh_from_db()
    assert unit.contact_phone_clear() == "13800008888"


def test_one_bad_row_imports_nothing_and_explains_in_chinese(world, tmp_path):
    wjl = world.wjl.code
    data = xlsx(
        {
            SHEET_AREAS: [
                AREA_H,
                [f"{wjl}-C7", "7号庭院", "小区网格", wjl, "", "", ""],
                [f"{wjl}-C8", "8号庭院", "小区网格", wjl, "", "", ""],
            ],
            SHEET_UNITS: [
                UNIT_H,
                unit_row(credit_code(4004), "好企业", f"{wjl}-C7", 联系电话="13800007777"),
                unit_row("91430100MA000000XX", "坏企业", f"{wjl}-C8", 联系电话="13800006666"),
            ],
        }
    )
    before = snapshot_counts()
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok
    assert snapshot_counts() == before
    assert [(e.sheet, e.row) for e in result.errors] == [(SHEET_UNITS, 3)]
    assert "统一社会信用代码" in result.errors[0].reason
    summary = rows_of(result.error_workbook, "错误汇总")
    assert summary[0] == ["工作表", "行号", "错误原因"]
    assert summary[1][:2] == [SHEET_UNITS, 3] and "无效" in summary[1][2]
    detail = rows_of(result.error_workbook, SHEET_UNITS)
    assert detail[0][0] == "行号" and detail[0][-1] == "错误原因"
    assert len(detail) == 2 and detail[1][0] == 3 and detail[1][2] == "坏企业"
    # the uploader's own values, so the row can be corrected in the workbook (kept sealed by the job)
    assert "13800006666" in str(detail) and "*" not in str(detail)


def test_many_kinds_of_bad_rows_are_all_reported(world, tmp_path):
    wjl = world.wjl.code
    data = xlsx(
        {
            SHEET_AREAS: [
                AREA_H,
                ["", "无代码", "小区网格", wjl, "", "", ""],
                [f"{wjl}-X1", "", "星球", wjl, "", "也许", "去年"],
                [f"{wjl}-X2", "层级不对", "街道镇", wjl, "", "", ""],
                [f"{wjl}-X3", "重复", "楼栋", f"{wjl}-X4", "", "", ""],
                [f"{wjl}-X3", "重复", "楼栋", f"{wjl}-X4", "", "", ""],
                [f"{wjl}-L1", "环一", "楼栋", f"{wjl}-L2", "", "", ""],
                [f"{wjl}-L2", "环二", "楼栋", f"{wjl}-L1", "", "", ""],
                [world.wjl_compound.code, "搬家", "小区网格", world.dongfeng.code, "", "", ""],
            ],
            SHEET_UNITS: [
                UNIT_H,
                unit_row(credit_code(5005), "坐标错", wjl, 纬度=95, 经度="东经", 注册企业数=-1),
                unit_row(credit_code(5006), "电话错", wjl, 联系电话="138****0000", 类别="公司"),
            ],
            SHEET_ORGS: [
                ORG_H,
                ["PO-A", "甲", "党支部", wjl, "", "PO-B", ""],
                ["PO-B", "乙", "党支部", wjl, "", "PO-A", ""],
                ["PO-C", "丙", "党支部", "", "", "PO-NONE", ""],
            ],
        }
    )
    before = snapshot_counts()
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok
    assert snapshot_counts() == before
    reasons = {(e.sheet, e.row): [] for e in result.errors}
    for e in result.errors:
        reasons[(e.sheet, e.row)].append(e.reason)
    text = {k: "；".join(v) for k, v in reasons.items()}
    assert "请填写区划代码" in text[(SHEET_AREAS, 2)]
    assert "请填写名称" in text[(SHEET_AREAS, 3)] and "层级" in text[(SHEET_AREAS, 3)]
    assert "是" in text[(SHEET_AREAS, 3)] and "日期" in text[(SHEET_AREAS, 3)]
    assert "须低于上级" in text[(SHEET_AREAS, 4)]
    assert "重复" in text[(SHEET_AREAS, 6)]
    assert "循环" in text[(SHEET_AREAS, 7)] and "循环" in text[(SHEET_AREAS, 8)]
    assert "移动" in text[(SHEET_AREAS, 9)]
    assert "纬度" in text[(SHEET_UNITS, 2)] and "经度" in text[(SHEET_UNITS, 2)]
    assert "注册企业数" in text[(SHEET_UNITS, 2)]
    assert "脱敏" in text[(SHEET_UNITS, 3)] and "类别" in text[(SHEET_UNITS, 3)]
    assert "循环" in text[(SHEET_ORGS, 2)] and "循环" in text[(SHEET_ORGS, 3)]
    assert "请填写所在区划代码或所属单位信用代码" in text[(SHEET_ORGS, 4)]
    assert "PO-NONE" in text[(SHEET_ORGS, 4)]


def test_a_rule_only_the_services_know_rolls_everything_back(world, tmp_path, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"name": "服务拒绝了这一行"})

    monkeypatch.setattr(services, "party_org_create", refuse)
    wjl = world.wjl.code
    data = xlsx(
        {
            SHEET_AREAS: [AREA_H, [f"{wjl}-R1", "回滚庭院", "小区网格", wjl, "", "", ""]],
            SHEET_ORGS: [ORG_H, ["PO-R1", "回滚党支部", "党支部", f"{wjl}-R1", "", "", ""]],
        }
    )
    before = snapshot_counts()
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok
    assert [(e.sheet, e.row, e.reason) for e in result.errors] == [(SHEET_ORGS, 2, "服务拒绝了这一行")]
    assert snapshot_counts() == before  # the area written before the refusal is gone too
    assert not Area.objects.filter(code=f"{wjl}-R1").exists()


def test_phone_numbers_are_checked_without_echoing_them(world, tmp_path):
    data = xlsx(
        {SHEET_UNITS: [UNIT_H, unit_row(credit_code(8008), "电话", world.wjl.code, 联系电话="1380000x")]}
    )
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok and "联系电话" in result.errors[0].reason
    assert "1380000" not in result.errors[0].reason
    assert "1380000" not in str(rows_of(result.error_workbook, "错误汇总"))  # the reasons never echo it
    assert "1380000x" in str(rows_of(result.error_workbook, SHEET_UNITS))  # the row, to correct


def test_traditional_headers_and_values_are_accepted(world, tmp_path):
    wjl = world.wjl.code
    code = credit_code(6006)
    data = xlsx(
        {
            "區劃": [
                ["區劃代碼", "名稱", "層級", "上級代碼", "類別", "老舊小區", "起始日期"],
                [f"{wjl}-T1", "繁體庭院", "小區網格", wjl, "庭院", "否", ""],
            ],
            "黨組織": [
                ["組織代碼", "名稱", "類別", "所在區劃代碼", "所屬單位信用代碼", "上級組織代碼", "書記"],
                ["PO-T1", "繁體庭院黨支部", "黨支部", f"{wjl}-T1", "", "PO-WJL", ""],
            ],
            "駐區單位": [
                [
                    "統一社會信用代碼",
                    "名稱",
                    "類別",
                    "級別",
                    "所在區劃代碼",
                    "聯繫電話",
                    "孵化基地",
                    "註冊企業數",
                ],
                [code, "繁體企業", "非公企業", "無", f"{wjl}-T1", "", "是", 2],
            ],
        }
    )
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert result.ok, result.errors
    assert result.total("created") == 3
    assert PartyOrg.objects.get(code="PO-T1").kind == "branch"
    unit = ResidentUnit.objects.get(credit_code=code)
    assert unit.kind == "private" and unit.rank == "none" and unit.incubator and unit.hosted_firms == 2
    assert Area.objects.get(code=f"{wjl}-T1").level == Level.COMPOUND


def test_rows_pointing_into_another_community_are_rejected(world, tmp_path):
    jsh = world.jsh.code
    data = xlsx(
        {
            SHEET_AREAS: [AREA_H, [f"{jsh}-Z1", "偷建小区", "小区网格", jsh, "", "", ""]],
            SHEET_ORGS: [
                ORG_H,
                ["PO-Z1", "越界党支部", "党支部", jsh, "", "", ""],
                [world.jsh_branch.code, "改名", "党支部", world.jsh_compound.code, "", "", ""],
                ["PO-Z2", "挂靠", "党支部", world.wjl.code, "", world.jsh_branch.code, ""],
            ],
            SHEET_UNITS: [
                UNIT_H,
                unit_row(credit_code(7007), "越界企业", jsh),
                unit_row(world.jsh_firm.credit_code, "改名企业", world.wjl.code),
            ],
        }
    )
    before = snapshot_counts()
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok
    assert snapshot_counts() == before
    bad = {(e.sheet, e.row) for e in result.errors}
    assert bad == {
        (SHEET_AREAS, 2),
        (SHEET_ORGS, 2),
        (SHEET_ORGS, 3),
        (SHEET_ORGS, 4),
        (SHEET_UNITS, 2),
        (SHEET_UNITS, 3),
    }
    assert all("管辖范围" in e.reason for e in result.errors)
    world.jsh_branch.refresh_from_db()
    assert world.jsh_branch.name == "芯城小区党支部"


def test_people_without_an_area_role_cannot_import(world, tmp_path):
    data = export_subtree(actor=world.wjl_admin, area=world.wjl)
    for user in (world.liaison, world.member, world.resident):
        result = import_map(actor=user, path=write(tmp_path, data))
        assert not result.ok and "权限" in result.errors[0].reason


def test_a_file_that_is_not_a_workbook_gets_a_reason(world, tmp_path):
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, b"not a workbook"))
    assert not result.ok and "xlsx" in result.errors[0].reason
    assert rows_of(result.error_workbook, "错误汇总")[1][2] == result.errors[0].reason
    other = import_map(actor=world.wjl_admin, path=write(tmp_path, xlsx({"Sheet1": [["a"]]})))
    assert not other.ok and "找不到工作表" in other.errors[0].reason
    missing = import_map(actor=world.wjl_admin, path=write(tmp_path, xlsx({SHEET_AREAS: [["名称"], ["x"]]})))
    assert not missing.ok and "区划代码" in missing.errors[0].reason


# --- the job, the pages and the API -------------------------------------------------------------


def _upload(data: bytes, name: str = "map.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_job_runs_and_records_progress_and_counts(world, django_capture_on_commit_callbacks, settings):
    data = export_subtree(actor=world.wjl_admin, area=world.wjl)
    with django_capture_on_commit_callbacks(execute=True):
        job = importexport.map_import_start(actor=world.wjl_admin, upload=_upload(data))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.finished_at is not None
    assert job.result["ok"] and job.result["unchanged"] > 0 and job.result["created"] == 0
    assert job.total == job.done == 2 * job.result["rows"]
    assert not (Path(settings.MEDIA_ROOT) / job.input_file).exists()  # the upload is not kept


def test_failed_job_keeps_the_error_workbook(world, django_capture_on_commit_callbacks, settings):
    data = xlsx({SHEET_UNITS: [UNIT_H, unit_row("BAD", "坏企业", world.wjl.code)]})
    with django_capture_on_commit_callbacks(execute=True):
        job = importexport.map_import_start(actor=world.wjl_admin, upload=_upload(data))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.result == {
        "ok": False,
        "errors": 1,
        "bad_rows": 1,
        "rows": 1,
        "file_level": False,
        "reasons": [
            {
                "sheet": SHEET_UNITS,
                "row": 2,
                "reason": "统一社会信用代码“BAD”无效（应为 18 位，末位为校验码）",
            }
        ],
    }
    assert job.result_file == f"jobs/{job.pk}/result.xlsx.sealed" and job.result_available
    path = Path(settings.MEDIA_ROOT) / job.result_file
    assert not path.read_bytes().startswith(b"PK")  # sealed at rest, not a readable workbook
    data, name = job_result_open(actor=world.wjl_admin, job=job)
    assert name == "导入错误.xlsx" and "统一社会信用代码" in str(rows_of(data, "错误汇总"))
    assert AuditEntry.objects.filter(action="pii.export_download", object_id=str(job.pk)).count() == 1
    with pytest.raises(Http404):
        job_result_open(actor=world.dongfeng_admin, job=job)  # only the uploader


def test_the_error_workbook_expires_after_24_hours_and_the_page_keeps_the_reasons(
    world, client, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from gongjian.core.daily import run_daily

    data = xlsx({SHEET_UNITS: [UNIT_H, unit_row("BAD", "坏企业", world.wjl.code)]})
    with django_capture_on_commit_callbacks(execute=True):
        job = importexport.map_import_start(actor=world.wjl_admin, upload=_upload(data))
    job.refresh_from_db()
    assert job.result_available
    stored = Path(settings_media()) / job.result_file
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    outcomes = {o.name: o for o in run_daily(today=tomorrow + dt.timedelta(days=1))}
    assert outcomes["gongjian.core.jobs.job_files_expire"].count >= 1
    job.refresh_from_db()
    assert not stored.exists() and job.result_file == "" and job.result["expired"]
    client.force_login(world.wjl_admin)
    page = client.get(reverse("core:job", args=[job.pk]))
    assert b"data-error-book-expired" in page.content and b'data-error-book"' not in page.content
    assert "统一社会信用代码“BAD”无效".encode() in page.content  # the reasons stay on the page
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def settings_media() -> str:
    from django.conf import settings

    return str(settings.MEDIA_ROOT)


def test_import_page_flow(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.wjl_admin)
    page = client.get(reverse("orgs:import"))
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    assert reverse("orgs:import_template").encode() in page.content

    wrong = client.post(reverse("orgs:import"), {"file": _upload(b"%PDF-1.4\n", "ledger.pdf")})
    assert wrong.status_code == 400
    assert b".xlsx" in wrong.content
    fake = client.post(reverse("orgs:import"), {"file": _upload(b"a,b\n1,2\n", "ledger.xlsx")})
    assert fake.status_code == 400
    assert Job.objects.count() == 0

    wjl = world.wjl.code
    data = xlsx({SHEET_AREAS: [AREA_H, [f"{wjl}-P1", "页面庭院", "小区网格", wjl, "", "", ""]]})
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("orgs:import"), {"file": _upload(data)})
    job = Job.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("core:job", args=[job.pk])
    page = client.get(resp["Location"])
    assert page.status_code == 200
    assert b'data-status="done"' in page.content
    assert b"hx-get" not in page.content  # finished: no more polling
    assert b'data-sheet="areas"' in page.content
    assert Area.objects.filter(code=f"{wjl}-P1").exists()


def test_job_page_polls_while_running_and_links_the_error_workbook(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.wjl_admin)
    from gongjian.core.jobs import job_create

    waiting = job_create(actor=world.wjl_admin, kind=importexport.JOB_KIND)
    page = client.get(reverse("core:job", args=[waiting.pk]), headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert b"hx-get" in page.content and b'hx-trigger="every 1s"' in page.content
    assert b"<html" not in page.content  # the fragment only

    data = xlsx({SHEET_UNITS: [UNIT_H, unit_row("BAD", "坏企业", world.wjl.code)]})
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("orgs:import"), {"file": _upload(data)})
    page = client.get(resp["Location"])
    job = Job.objects.get(pk=int(resp["Location"].rstrip("/").split("/")[-1]))
    download = reverse("core:job_download", args=[job.pk])
    assert download.encode() in page.content
    got = client.get(download)
    assert got.status_code == 200
    assert "错误原因" in str(rows_of(got.content, "错误汇总"))  # a sealed file, opened for its uploader
    assert b"data-error-book-note" in page.content


def test_residents_cannot_start_an_import(world, client):
    client.force_login(world.resident)
    data = export_subtree(actor=world.wjl_admin, area=world.wjl)
    assert client.post(reverse("orgs:import"), {"file": _upload(data)}).status_code == 403
    assert Job.objects.count() == 0


def test_template_and_export_pages(world, client):
    client.force_login(world.wjl_admin)
    resp = client.get(reverse("orgs:import_template"))
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in resp["Content-Disposition"]
    assert open_workbook(resp.content).sheet_names[-1] == "说明"
    resp = client.get(reverse("orgs:export", args=[world.wjl.pk]))
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    assert "138****1234" in str(rows_of(resp.content, SHEET_UNITS))
    assert client.get(reverse("orgs:export", args=[world.jsh.pk])).status_code == 404


def test_api_import_export_template(world, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(world.wjl_admin)
    wjl = world.wjl.code
    data = xlsx({SHEET_AREAS: [AREA_H, [f"{wjl}-A1", "接口庭院", "小区网格", wjl, "", "", ""]]})
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(reverse("api-map-import"), {"file": _upload(data)}, format="multipart")
    assert resp.status_code == 202, resp.content
    body = resp.json()
    assert body["url"] == f"/api/v1/jobs/{body['id']}/"
    job = api.get(body["url"]).json()
    assert job["status"] == "done" and job["finished"] is True
    assert job["result"]["created"] == 1 and job["percent"] == 100

    bad = api.post(reverse("api-map-import"), {"file": _upload(b"x", "map.xls")}, format="multipart")
    assert bad.status_code == 400
    assert api.post(reverse("api-map-import"), {}, format="multipart").status_code == 400

    resp = api.get(reverse("api-map-export"), {"area": world.wjl.pk})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert any(r[0] == f"{wjl}-A1" for r in rows_of(resp.content, SHEET_AREAS))
    assert api.get(reverse("api-map-export"), {"area": world.jsh.pk}).status_code == 404
    assert api.get(reverse("api-map-export"), {"area": "x"}).status_code == 400
    assert api.get(reverse("api-map-template")).status_code == 200

    outsider = APIClient()
    outsider.force_authenticate(world.resident)
    resp = outsider.post(reverse("api-map-import"), {"file": _upload(data)}, format="multipart")
    assert resp.status_code == 403
    assert APIClient().get(reverse("api-map-template")).status_code in (401, 403)


def test_openapi_schema_stays_valid(world):
    api = APIClient()
    api.force_authenticate(world.superuser)
    resp = api.get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "multipart/form-data" in paths["/api/v1/map/import/"]["post"]["requestBody"]["content"]
    assert "202" in paths["/api/v1/map/import/"]["post"]["responses"]


# --- dates per sheet (issue 20) -----------------------------------------------------------------


def test_organisations_and_units_take_their_dates_and_blank_is_unknown(world, tmp_path):
    import datetime as dt

    from django.utils import timezone

    wjl = world.wjl.code
    data = xlsx(
        {
            SHEET_ORGS: [
                ORG_H,
                ["PO-D1", "有日期党支部", "党支部", world.wjl_compound.code, "", "", "", "2016-07-01"],
                ["PO-D2", "无日期党支部", "党支部", world.wjl_compound.code, "", "", "", ""],
            ],
            SHEET_UNITS: [
                UNIT_H,
                unit_row(credit_code(8101), "有日期单位", wjl, 入驻日期="2015-03-01"),
                unit_row(credit_code(8102), "无日期单位", wjl),
            ],
        }
    )
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert result.ok, result.errors
    dated, blank = PartyOrg.objects.get(code="PO-D1"), PartyOrg.objects.get(code="PO-D2")
    assert (dated.since, dated.since_known) == (dt.date(2016, 7, 1), True)
    assert (blank.since, blank.since_known) == (timezone.localdate(), False)
    unit = ResidentUnit.objects.get(credit_code=credit_code(8101))
    assert (unit.since, unit.since_known) == (dt.date(2015, 3, 1), True)
    unit = ResidentUnit.objects.get(credit_code=credit_code(8102))
    assert (unit.since, unit.since_known) == (timezone.localdate(), False)
    exported = export_subtree(actor=world.wjl_admin, area=world.wjl)
    rows = {r[0]: r for r in rows_of(exported, SHEET_ORGS)}
    assert rows["PO-D2"][ORG_H.index("成立日期")] is None  # an unknown start stays unknown
    assert str(rows["PO-D1"][ORG_H.index("成立日期")]).startswith("2016-07-01")


def test_a_bad_date_on_the_organisations_sheet_imports_nothing(world, tmp_path):
    before = snapshot_counts()
    data = xlsx(
        {SHEET_ORGS: [ORG_H, ["PO-D3", "坏日期党支部", "党支部", world.wjl.code, "", "", "", "去年"]]}
    )
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok
    assert any("成立日期" in str(e) for e in result.errors)
    assert snapshot_counts() == before


def test_a_phone_that_is_not_a_phone_imports_nothing(world, tmp_path):
    before = snapshot_counts()
    data = xlsx(
        {SHEET_UNITS: [UNIT_H, unit_row(credit_code(8201), "电话错误单位", world.wjl.code, 联系电话="12345")]}
    )
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok
    assert any("联系电话" in str(e) for e in result.errors)
    assert snapshot_counts() == before


def test_an_import_never_moves_a_recorded_start(world, tmp_path):
    """A different 入驻日期/成立日期 on an existing row is the row's error (it points to 更正历史) and
    nothing is written; a blank date or the same date keeps the start (issue 20)."""
    import datetime as dt

    unit, org = world.minzheng, world.wjl_branch
    before = snapshot_counts()
    data = xlsx(
        {
            SHEET_ORGS: [
                ORG_H,
                [org.code, "改名党支部", "党支部", org.area.code, "", "", "", "1999-01-01"],
            ],
            SHEET_UNITS: [
                UNIT_H,
                unit_row(unit.credit_code, "改名单位", unit.area.code, 入驻日期="1999-01-01"),
            ],
        }
    )
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok
    reasons = [str(e) for e in result.errors]
    assert any("入驻日期" in r and "更正历史" in r for r in reasons), reasons
    assert any("成立日期" in r and "更正历史" in r for r in reasons), reasons
    assert snapshot_counts() == before
    unit.refresh_from_db()
    org.refresh_from_db()
    assert (unit.name, org.name) != ("改名单位", "改名党支部")
    assert unit.since != dt.date(1999, 1, 1) and org.since != dt.date(1999, 1, 1)
    # the same start (or a blank one) is no change: the rest of the row is imported
    same = xlsx(
        {
            SHEET_UNITS: [
                UNIT_H,
                unit_row(unit.credit_code, "改名单位", unit.area.code, 入驻日期=unit.since.isoformat()),
            ]
        }
    )
    assert import_map(actor=world.wjl_admin, path=write(tmp_path, same)).ok
    unit.refresh_from_db()
    assert unit.name == "改名单位"
