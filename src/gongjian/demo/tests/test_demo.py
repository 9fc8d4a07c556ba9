"""The Changsha 2018 demo: loaded once for the module, checked through ``gongjian indicators``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from gongjian.accounts.models import Role, User
from gongjian.core.audit import audit_verify
from gongjian.core.models import AuditEntry
from gongjian.demo.scenario import DEMO_ACCOUNTS, DEMO_PASSWORD, clear_all, load_demo
from gongjian.orgs.models import Alliance, AllianceMember, Area, Level, PartyOrg, ResidentUnit

#: People the article names in a private capacity, and officials other than the one the demo uses
#: in his public role: none of them may become a record.
PRIVATE_PERSONS = (
    "郑松泉",
    "吴先贵",
    "雷晓彬",
    "杨慧",
    "杨灿",
    "吴小燕",
    "杨炯",
    "龚爱林",
    "戴伟平",
    "曾超群",
    "张宏益",
    "张颐佳",
    "周云武",
)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def indicators(area: str, *extra: str) -> dict[str, Any]:
    return json.loads(run("indicators", "--area", area, "--format", "json", *extra))


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo, loaded once into the test database (committed), removed after the module."""
    # the accounts are hashed as the tests will check them (conftest's fast hasher is per test)
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        status_before = run("demo", "--status").strip()
        result = load_demo()
        result["status_before"] = status_before
        result["status_after"] = run("demo", "--status").strip()
    try:
        yield result
    finally:
        with django_db_blocker.unblock():
            clear_all()


def test_status_is_empty_before_and_loaded_after(demo, db):
    assert demo["status_before"] == "empty"
    assert demo["status_after"] == "loaded"
    assert run("demo", "--status") == "loaded\n"


def test_load_is_reasonably_fast_and_sized(demo, db):
    assert demo["seconds"] < 60
    assert Area.objects.filter(level=Level.DISTRICT).count() == 10
    assert 28 <= Area.objects.filter(level=Level.STREET).count() <= 32
    assert 140 <= Area.objects.filter(level=Level.COMMUNITY).count() <= 160
    # every territorial node above the compounds has its Party organisation
    for area in Area.objects.filter(level__lte=Level.COMMUNITY):
        assert PartyOrg.objects.filter(area=area, unit__isnull=True).exists(), area.name
    # every resident unit has its own Party organisation
    assert not ResidentUnit.objects.filter(party_orgs__isnull=True).exists()


def test_huaichuan_reproduces_the_articles_figures(demo, db):
    huaichuan = Area.objects.get(name="淮川街道")
    old = Area.objects.filter(level=Level.COMPOUND, old_compound=True, path__startswith=huaichuan.path)
    assert old.count() == 371
    assert old.filter(name__in=["石板巷", "财富新世界"]).count() == 2
    data = indicators("淮川街道")
    assert data["area"] == {"code": huaichuan.code, "name": "淮川街道"}
    figures = data["indicators"]
    assert figures["orgs.compound_branches"] == 75
    assert figures["orgs.building_groups"] == 88
    assert figures["coverage.compounds"] == round(75 / 371, 4)
    # on the article's date too: the branches were set up in the three years before it
    on_the_day = indicators("淮川街道", "--date", "2018-09-04")
    assert on_the_day["date"] == "2018-09-04"
    assert on_the_day["indicators"]["orgs.compound_branches"] == 75
    assert on_the_day["indicators"]["orgs.building_groups"] == 88
    # and by code, and in Traditional script (淮川街道 is the same in both)
    assert indicators(huaichuan.code)["indicators"] == figures


def test_jianshanhu_has_four_incubation_bases_with_5000_plus_firms(demo, db):
    jsh = Area.objects.get(name="尖山湖社区")
    bases = ResidentUnit.objects.filter(area__path__startswith=jsh.path, incubator=True)
    assert bases.count() == 4
    assert {"中电软件园", "芯城科技园"} <= set(bases.values_list("name", flat=True))
    assert sum(bases.values_list("hosted_firms", flat=True)) >= 5000
    assert ResidentUnit.objects.filter(name="永雄集团", kind="private").exists()
    figures = indicators("尖山湖社区")["indicators"]
    assert figures["units.resident"] == 5  # 4 bases + 永雄集团
    assert figures["alliance.members"] == 5
    alliance = Alliance.objects.get(area=jsh)
    assert "大服务" in alliance.name


def test_wangjialong_courtyard_branches_and_alliance(demo, db):
    wjl = Area.objects.get(name="王家垅社区")
    branches = PartyOrg.objects.filter(
        area__path__startswith=wjl.path, area__level=Level.COMPOUND, kind="branch", unit__isnull=True
    )
    names = set(branches.values_list("name", flat=True))
    assert {"30号庭院党支部", "43号庭院党支部", "76号庭院党支部"} <= names
    for number in ("30", "43", "76"):
        branch = branches.get(name=f"{number}号庭院党支部")
        assert branch.area.name == f"{number}号庭院"
        assert branch.parent is not None and branch.parent.name == "王家垅社区党委"
    assert indicators("王家垅社区")["indicators"]["orgs.compound_branches"] >= 3
    # 开福区's first alliance, signed at 东风路街道: the three named units
    dongfeng = Area.objects.get(name="东风路街道")
    alliance = Alliance.objects.get(area__path__startswith=dongfeng.path)
    members = set(alliance.members.filter(until__isnull=True).values_list("unit__name", flat=True))
    assert members == {"湖南省民政厅", "长沙市星城公证处", "东风路派出所"}
    assert "开福区首个区域化党建联盟" in alliance.description
    assert indicators("东风路街道")["indicators"]["alliance.members"] == 3


def test_yuelu_first_joint_meeting_has_twelve_units(demo, db):
    yuelu = Area.objects.get(name="岳麓区")
    alliance = Alliance.objects.get(area=yuelu)
    assert alliance.convener.name == "中共岳麓区委"
    assert alliance.since.isoformat() == "2018-06-16"
    units = set(alliance.members.values_list("unit__name", flat=True))
    assert len(units) == 12
    assert {"中南大学", "湖南大学", "湖南师范大学", "中共湖南省委党校", "中铁城建集团"} <= units
    assert indicators("岳麓区")["indicators"]["alliance.members"] == 12


def test_qingshuitang_has_20_plus_provincial_units_and_27_buildings(demo, db):
    qst = Area.objects.get(name="清水塘街道")
    units = ResidentUnit.objects.filter(area__path__startswith=qst.path)
    assert units.filter(rank="provincial").count() >= 20
    assert {"湖南省政协", "湖南省公路局", "中共湖南省委统战部", "长沙银行"} <= set(
        units.values_list("name", flat=True)
    )
    buildings = Area.objects.filter(path__startswith=qst.path, kind_label="商务楼宇")
    assert buildings.count() == 27
    big = Alliance.objects.get(area=qst)
    assert "大工委" in big.name
    assert big.members.filter(unit__rank="provincial").count() >= 20


def test_other_named_places_and_units(demo, db):
    for district, street, community in [
        ("开福区", "望麓园街道", "富雅坪社区"),
        ("岳麓区", "银盆岭街道", "银星社区"),
        ("浏阳市", "淮川街道", "朝阳社区"),
        ("雨花区", "井湾子街道", "融城社区"),
        ("长沙县", "金井镇", "金龙村"),
        ("长沙县", "长龙街道", "湘峰村"),
    ]:
        node = Area.objects.get(name=community)
        assert [a.name for a in Area.objects.get_ancestors(node)] == ["长沙市", district, street]
    gaoxin = Area.objects.get(name="高新区")
    assert (gaoxin.code, gaoxin.kind_label) == ("4301GX", "开发区")
    assert ResidentUnit.objects.get(name="湖南省作家协会").area.name == "银星社区"
    assert ResidentUnit.objects.get(name="金芙蓉影楼").area.path.startswith(
        Area.objects.get(name="淮川街道").path
    )
    fyp = Alliance.objects.get(area__name="富雅坪社区")
    assert set(fyp.members.values_list("unit__name", flat=True)) == {
        "湖南中医药大学第二附属医院",
        "长沙市第一医院",
    }


def test_traditional_input_and_errors(demo, db):
    data = indicators("長沙市")
    assert data["area"] == {"code": "430100", "name": "长沙市"}
    assert set(data["indicators"]) >= {"units.resident", "coverage.compounds"}
    assert data["indicators"]["units.resident"] == ResidentUnit.objects.count()
    with pytest.raises(CommandError, match="ambiguous"):
        run("indicators", "--area", "1栋")
    with pytest.raises(CommandError, match="No area"):
        run("indicators", "--area", "不存在的街道")


def test_every_demo_user_can_log_in(demo, db):
    for account in DEMO_ACCOUNTS:
        client = Client()
        resp = client.post("/accounts/login/", {"username": account.username, "password": DEMO_PASSWORD})
        assert resp.status_code == 302, account.username
        user = User.objects.get(username=account.username)
        assert client.session["_auth_user_id"] == str(user.pk)
        if account.role == "superuser":
            assert user.is_superuser
        else:
            assert Role.objects.filter(user=user, kind=account.role).exists()
    listing = run("demo", "--users")
    assert DEMO_PASSWORD in listing
    for account in DEMO_ACCOUNTS:
        assert account.username in listing


def test_audit_chain_verifies_and_covers_every_record(demo, db):
    verdict = audit_verify()
    assert verdict.ok, verdict.problem
    assert "OK" in run("audit", "verify")
    assert AuditEntry.objects.filter(action="area.create").count() == Area.objects.count()
    assert AuditEntry.objects.filter(action="unit.create").count() == ResidentUnit.objects.count()
    assert AuditEntry.objects.filter(action="party_org.create").count() == PartyOrg.objects.count()
    assert AuditEntry.objects.filter(action="alliance.member_add").count() == AllianceMember.objects.count()


def test_no_clear_phone_number_and_no_private_person(demo, db):
    for unit in ResidentUnit.objects.all():
        clear = unit.contact_phone_clear()
        assert re.fullmatch(r"138000\d{5}", clear)
        assert clear not in unit.contact_phone_sealed
        assert clear[-5:] not in unit.contact_phone_sealed
        assert unit.contact_phone_masked != clear
    for entry in AuditEntry.objects.filter(action="unit.create"):
        assert not re.search(r"138000\d{5}", json.dumps(entry.changes))
    texts = [f"{o.name}{o.secretary}" for o in PartyOrg.objects.all()]
    texts += [f"{u.name}{u.contact_name}{u.address}" for u in ResidentUnit.objects.all()]
    texts += [f"{a.name}{a.description}" for a in Alliance.objects.all()]
    texts += [f"{m.representative}{m.representative_title}" for m in AllianceMember.objects.all()]
    texts += list(Area.objects.values_list("name", flat=True))
    texts += [f"{u.username}{u.display_name}{u.first_name}{u.last_name}" for u in User.objects.all()]
    blob = "\n".join(texts)
    for person in PRIVATE_PERSONS:
        assert person not in blob, person


def test_load_refuses_on_data_and_reset_reloads_without_duplicates(demo, db):
    with pytest.raises(CommandError, match="--reset"):
        run("demo")
    before = {
        "areas": Area.objects.count(),
        "orgs": PartyOrg.objects.count(),
        "units": ResidentUnit.objects.count(),
        "alliances": Alliance.objects.count(),
        "members": AllianceMember.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
    codes_before = set(ResidentUnit.objects.values_list("credit_code", flat=True))
    run("demo", "--reset", "-v", "0")
    after = {
        "areas": Area.objects.count(),
        "orgs": PartyOrg.objects.count(),
        "units": ResidentUnit.objects.count(),
        "alliances": Alliance.objects.count(),
        "members": AllianceMember.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
    assert after == before
    assert set(ResidentUnit.objects.values_list("credit_code", flat=True)) == codes_before
    assert Area.objects.filter(name="王家垅社区").count() == 1
    assert audit_verify().ok
    assert AuditEntry.objects.order_by("seq").first().seq == 1  # a new chain
    assert indicators("淮川街道")["indicators"]["orgs.compound_branches"] == 75
