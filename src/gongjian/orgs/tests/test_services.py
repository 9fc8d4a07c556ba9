from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.core.models import AuditEntry
from gongjian.orgs import services
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit
from gongjian.testing import credit_code


def test_area_create_generates_codes_below_official_ones(world):
    street = services.area_create(
        actor=world.kaifu_admin, parent=world.kaifu, name="望麓园街道", level=Level.STREET
    )
    assert street.code.startswith("430105") and len(street.code) == 9
    community = services.area_create(
        actor=world.kaifu_admin, parent=street, name="富雅坪社区", level=Level.COMMUNITY
    )
    assert community.code.startswith(street.code) and len(community.code) == 12
    compound = services.area_create(
        actor=world.kaifu_admin, parent=community, name="1号院", level=Level.COMPOUND
    )
    assert compound.code.startswith(community.code + "-")
    assert Area.objects.get_parent(compound) == community


def test_community_admin_cannot_write_outside_own_subtree(world):
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.area_update(actor=world.wjl_admin, area=world.jsh, name="改名")
    with pytest.raises(PermissionDenied):
        services.area_create(actor=world.wjl_admin, parent=world.jsh, name="新小区", level=Level.COMPOUND)
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=world.wjl_admin, unit=world.jsh_firm, address="x")
    with pytest.raises(PermissionDenied):
        services.party_org_update(actor=world.wjl_admin, org=world.jsh_branch, secretary="x")
    with pytest.raises(PermissionDenied):
        services.alliance_update(actor=world.wjl_admin, alliance=world.jsh_alliance, description="x")
    world.jsh.refresh_from_db()
    assert world.jsh.name == "尖山湖社区"
    assert AuditEntry.objects.count() == before


def test_child_level_must_be_below_parent(world):
    with pytest.raises(ValidationError):
        services.area_create(actor=world.city_admin, parent=world.wjl, name="错层", level=Level.STREET)


def test_duplicate_code_is_a_clear_error_and_changes_nothing(world):
    count = Area.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.area_create(
            actor=world.city_admin,
            parent=world.kaifu,
            name="重复",
            level=Level.STREET,
            code=world.dongfeng.code,
        )
    assert "code" in exc.value.message_dict
    assert Area.objects.count() == count


def test_unit_credit_code_is_checked(world):
    with pytest.raises(ValidationError) as exc:
        services.unit_create(
            actor=world.wjl_admin,
            name="坏代码单位",
            credit_code="91430100MA4L16JQ9B",
            kind="private",
            area=world.wjl,
        )
    assert "credit_code" in exc.value.message_dict
    assert not ResidentUnit.objects.filter(name="坏代码单位").exists()


def test_unit_contact_phone_is_sealed_masked_and_revealed_with_audit(world):
    unit = ResidentUnit.objects.get(pk=world.minzheng.pk)
    assert "13800001234" not in unit.contact_phone_sealed
    assert unit.contact_phone_masked == "138****1234"
    with pytest.raises(ValidationError):
        services.unit_contact_phone_reveal(actor=world.wjl_admin, unit=unit, reason="  ")
    phone = services.unit_contact_phone_reveal(actor=world.wjl_admin, unit=unit, reason="联系共建活动")
    assert phone == "13800001234"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "pii.reveal" and entry.reason == "联系共建活动" and entry.actor == world.wjl_admin
    assert "13800001234" not in str(entry.changes)
    with pytest.raises(PermissionDenied):
        services.unit_contact_phone_reveal(actor=world.jsh_admin, unit=unit, reason="想看")


def test_liaison_edits_only_contact_fields_of_own_unit(world):
    services.unit_update(
        actor=world.liaison, unit=world.minzheng, address="新地址", contact_phone="13800005678"
    )
    world.minzheng.refresh_from_db()
    assert world.minzheng.address == "新地址" and world.minzheng.contact_phone_masked == "138****5678"
    with pytest.raises(ValidationError):
        services.unit_update(actor=world.liaison, unit=world.minzheng, kind="private")
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=world.liaison, unit=world.minzheng, area=world.jsh)
    world.minzheng.refresh_from_db()
    assert world.minzheng.kind == "organ" and world.minzheng.area == world.wjl
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=world.liaison, unit=world.jsh_firm, address="x")


def test_moving_a_unit_moves_its_party_orgs(world):
    services.unit_update(actor=world.city_admin, unit=world.minzheng, area=world.dongfeng)
    assert PartyOrg.objects.get(pk=world.minzheng_org.pk).area == world.dongfeng


def test_unit_org_sits_where_its_unit_sits(world):
    org = services.party_org_create(
        actor=world.liaison, name="民政厅第二支部", kind="branch", code="PO-MZT-2", unit=world.minzheng
    )
    assert org.area == world.wjl and not org.is_territorial
    with pytest.raises(ValidationError):
        services.party_org_create(
            actor=world.city_admin, name="x", kind="branch", code="PO-X", unit=world.minzheng, area=world.jsh
        )


def test_alliance_membership_once_and_ending(world):
    with pytest.raises(ValidationError):
        services.alliance_member_add(actor=world.dongfeng_admin, alliance=world.alliance, unit=world.minzheng)
    member = world.alliance.members.get(unit=world.minzheng)
    with pytest.raises(ValidationError):
        services.alliance_member_end(
            actor=world.dongfeng_admin, member=member, until=member.since - dt.timedelta(1)
        )
    services.alliance_member_end(actor=world.dongfeng_admin, member=member, until=dt.date(2026, 1, 1))
    again = services.alliance_member_add(
        actor=world.dongfeng_admin, alliance=world.alliance, unit=world.minzheng, since=dt.date(2026, 2, 1)
    )
    assert again.pk != member.pk


def test_street_admin_cannot_add_a_unit_it_cannot_see(world):
    with pytest.raises(PermissionDenied):
        services.alliance_member_add(actor=world.dongfeng_admin, alliance=world.alliance, unit=world.jsh_firm)


def test_unknown_fields_are_refused_not_dropped(world):
    with pytest.raises(ValidationError):
        services.area_update(actor=world.city_admin, area=world.wjl, level=Level.CITY)


def test_new_unit_is_created_and_audited(world):
    unit = services.unit_create(
        actor=world.wjl_admin,
        name="東風路派出所",
        credit_code=credit_code(3003),
        kind="organ",
        rank="district",
        area=world.wjl,
        lat="28.21",
        lng="112.99",
    )
    assert unit.name_key == "东风路派出所"
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()
