"""The synthetic city: a consistent tree, the counts it promises, valid synthetic ID numbers, and
files that import cleanly. ID numbers never appear in assertion messages."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from stdnum.cn import ric

from gongjian.core.models import AuditEntry
from gongjian.demo.synthcity import CITY_CODE, FILE_HEADERS, SCALES, build_city
from gongjian.members.importexport import import_ledger
from gongjian.members.models import Category, Member, MemberCategory
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _city() -> Area:
    return Area.objects.get(code=CITY_CODE)


def test_small_city_is_a_consistent_tree_with_the_promised_counts(world, tmp_path):
    scale = SCALES["small"]
    built = build_city("small", out=tmp_path, xlsx=True, csv_file=True)
    city = _city()
    assert city.depth == 1 and city.path != world.changsha.path
    assert all(problems == [] for problems in Area.objects.find_problems())
    inside = Area.objects.filter(path__startswith=city.path)
    levels = {level: inside.filter(level=level).count() for level in Level}
    assert levels == {
        Level.CITY: 1,
        Level.DISTRICT: scale.districts,
        Level.STREET: scale.streets,
        Level.COMMUNITY: scale.communities,
        Level.COMPOUND: scale.compounds,
        Level.BUILDING: scale.buildings,
    }
    assert ResidentUnit.objects.filter(area__path__startswith=city.path).count() == scale.units
    assert PartyOrg.objects.filter(area__path__startswith=city.path).count() == scale.orgs
    members = Member.objects.filter(org__area__path__startswith=city.path)
    assert members.count() == scale.members
    assert built.counts == scale.counts()
    # every ledger entry sits in the city, in-service members where they live
    entries = MemberCategory.objects.filter(member__in=members)
    assert not entries.exclude(area__path__startswith=city.path).exists()
    assert not entries.filter(category=Category.IN_SERVICE).exclude(area__level=Level.COMMUNITY).exists()
    assert entries.filter(category=Category.RETIRED).count() > scale.members // 10
    # written through the audited bulk service, masked
    audit = AuditEntry.objects.filter(action="member.synth_create")
    assert sum(len(a.changes["members"]) for a in audit) == scale.members
    # the files: ledger columns, valid synthetic ID numbers, obviously fake phones
    csv_path = next(p for p in built.files if p.suffix == ".csv")
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == FILE_HEADERS and len(rows) == scale.members + 1
    ids = [r[4] for r in rows[1:]]
    assert len(set(ids)) == len(ids)
    assert all(ric.is_valid(n) for n in ids), "an ID number fails stdnum's validation (numbers not shown)"
    assert all(r[5].startswith("138000") and len(r[5]) == 11 for r in rows[1:])
    sample = members.order_by("?")[:20]
    assert all(ric.is_valid(m.id_number_clear()) for m in sample)


def test_its_xlsx_imports_cleanly(world, tmp_path):
    built = build_city("small", out=tmp_path, xlsx=True, members=1500)
    xlsx = next(p for p in built.files if p.suffix == ".xlsx")
    before = AuditEntry.objects.count()
    result = import_ledger(actor=world.superuser, path=xlsx)
    assert result.ok, result.errors[:3]
    assert (result.rows, result.unchanged, result.created, result.updated) == (1500, 1500, 0, 0)
    assert AuditEntry.objects.count() == before


def test_map_only_then_the_import_creates_every_member(world, tmp_path):
    built = build_city("small", out=tmp_path, xlsx=True, members=1200, map_only=True)
    city = _city()
    assert not Member.objects.exists()
    xlsx = next(p for p in built.files if p.suffix == ".xlsx")
    result = import_ledger(actor=world.superuser, path=xlsx)
    assert result.ok and result.created == 1200, result.errors[:3]
    assert Member.objects.filter(org__area__path__startswith=city.path).count() == 1200
    in_service = MemberCategory.objects.filter(category=Category.IN_SERVICE)
    assert in_service.exists() and not in_service.exclude(area__level=Level.COMMUNITY).exists()
    assert not Member.objects.filter(~Q(phone_masked__startswith="138****")).exists()
    again = import_ledger(actor=world.superuser, path=xlsx)
    assert again.ok and again.unchanged == 1200


def test_the_command(db, tmp_path):
    out = io.StringIO()
    call_command("synth", "--scale", "small", "--members", "300", "--csv", "--out", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "communities: 18" in text and "members: 300" in text and "synth-small-members.csv" in text
    assert (tmp_path / "synth-small-members.csv").exists()
    with pytest.raises(CommandError, match="already"):
        call_command("synth", "--scale", "small", "--members", "10", stdout=io.StringIO())
