"""Deciding an import: a batch looked up in the ledgers and, row by row, what to create, what to
change and what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit, validate_credit_code

from .. import bulk
from ..models import (
    ID_PURPOSE,
    PHONE_PURPOSE,
    Member,
    MemberCategory,
)
from .parse import _EXISTING_COLUMNS, AreaInfo, Existing, OrgInfo, _as_date, _Batch, _ImportState
from .sheet import CATEGORY_ORDER, mask_org_name


class _Deciding(_ImportState):
    """Deciding: look a batch up in the ledgers (a few queries a batch) and decide, row by row,
    what to create, what to change and what is wrong."""

    # -- a batch's look-ups --

    def _look_up(self, b: _Batch) -> tuple[dict[str, Existing], dict[int, Existing]]:
        self._load_orgs(set(b.org_codes))
        self._load_areas(set(b.residence_codes))
        self._load_units(set(b.unit_codes))
        return self._load_members(b)

    def _org_sql(self) -> str:
        r = self.reader
        orgs, areas = r.quote(PartyOrg._meta.db_table), r.quote(Area._meta.db_table)
        return (
            f"SELECT o.id, o.code, o.name, o.area_id, a.path, o.unit_id FROM {orgs} o "  # noqa: S608
            f"JOIN {areas} a ON a.id = o.area_id WHERE"
        )

    def _load_orgs(self, codes: set[str]) -> None:
        wanted = sorted(c for c in codes if c and c not in self.orgs)
        for pk, code, name, area_id, path, unit_id in self.reader.rows(
            self._org_sql(), "o.code", wanted, "text"
        ):
            info = OrgInfo(pk, code, name, area_id, path, unit_id)
            self.orgs[code] = info
            self.orgs_by_pk[pk] = info
        for code in wanted:
            self.orgs.setdefault(code, None)

    def _load_orgs_by_pk(self, pks: set[int]) -> None:
        wanted = sorted(pk for pk in pks if pk not in self.orgs_by_pk)
        for pk, code, name, area_id, path, unit_id in self.reader.rows(
            self._org_sql(), "o.id", wanted, "bigint"
        ):
            info = OrgInfo(pk, code, name, area_id, path, unit_id)
            self.orgs.setdefault(code, info)
            self.orgs_by_pk[pk] = info

    def _load_areas(self, codes: set[str]) -> None:
        wanted = sorted(c for c in codes if c and c not in self.areas)
        found: list[AreaInfo] = []
        sql = f"SELECT id, code, path, level FROM {self.reader.quote(Area._meta.db_table)} WHERE"  # noqa: S608
        for pk, code, path, level in self.reader.rows(sql, "code", wanted, "text"):
            info = AreaInfo(pk, code, path, level)
            self.areas[code] = info
            self.areas_by_path[path] = info
            found.append(info)
        for code in wanted:
            self.areas.setdefault(code, None)
        # the community each new residence sits in (for the in-service ledger)
        steplen = Area.steplen
        ancestors = {
            a.path[:n]
            for a in found
            if a.level > Level.COMMUNITY
            for n in range(steplen, len(a.path), steplen)
            if a.path[:n] not in self.areas_by_path
        }
        for pk, code, path, level in self.reader.rows(sql, "path", sorted(ancestors), "text"):
            self.areas_by_path[path] = AreaInfo(pk, code, path, level)
        for a in found:
            community: int | None = None
            if a.level == Level.COMMUNITY:
                community = a.pk
            elif a.level > Level.COMMUNITY:
                for n in range(steplen, len(a.path), steplen):
                    up = self.areas_by_path.get(a.path[:n])
                    if up is not None and up.level == Level.COMMUNITY:
                        community = up.pk
            self.community_of[a.pk] = community

    def _load_units(self, codes: set[str]) -> None:
        wanted = sorted(c for c in codes if c and c not in self.units)
        table = self.reader.quote(ResidentUnit._meta.db_table)
        sql = f"SELECT id, credit_code, name FROM {table} WHERE"  # noqa: S608
        for pk, code, name in self.reader.rows(sql, "credit_code", wanted, "text"):
            self.units[code] = (pk, name)
        for code in wanted:
            self.units.setdefault(code, None)

    def _load_members(self, b: _Batch) -> tuple[dict[str, Existing], dict[int, Existing]]:
        r = self.reader
        table = r.quote(Member._meta.db_table)
        columns = ", ".join(r.quote(c) for c in _EXISTING_COLUMNS)
        sql = f"SELECT {columns} FROM {table} WHERE"  # noqa: S608
        found: dict[int, Existing] = {}
        indexes = sorted({i for i in b.indexes if i})
        pks = sorted({i for i in b.member_ids if i})
        for column, values, cast in (("id_number_index", indexes, "text"), ("id", pks, "bigint")):
            for row in r.rows(sql, r.quote(column), list(values), cast):
                if row[0] not in found:
                    found[row[0]] = Existing(*row)
        if found:
            for member in found.values():
                member.birth = _as_date(member.birth)
                member.joined_on = _as_date(member.joined_on)
            entries = r.quote(MemberCategory._meta.db_table)
            sql = f"SELECT member_id, category, id FROM {entries} WHERE until IS NULL AND"  # noqa: S608
            for member_id, category, entry in r.rows(sql, "member_id", sorted(found), "bigint"):
                found[member_id].open[category] = entry
            self._load_orgs_by_pk({m.org_id for m in found.values()})
        return {m.index: m for m in found.values()}, found

    # -- a batch against the ledgers --

    def _org_allowed(self, org: OrgInfo) -> bool:
        return self.scope.covers_path(org.area_path) or self.scope.covers_unit(org.unit_id)

    def _area_allowed(self, area: AreaInfo) -> bool:
        scope = self.scope
        return scope.everything or bool(scope.unit_ids) or scope.covers_path(area.path)

    def _decide(
        self, b: _Batch, by_index: dict[str, Existing], by_pk: dict[int, Existing]
    ) -> tuple[list[bulk.NewMember], list[bulk.MemberChange]]:
        creates: list[bulk.NewMember] = []
        updates: list[bulk.MemberChange] = []
        orgs, areas, units, community_of = self.orgs, self.areas, self.units, self.community_of
        org_ok, area_ok = self.org_ok, self.area_ok
        seen, today_iso = self.seen, self.today_iso
        sealer, names = self.sealer, self.names
        errs = b.errs
        for i in range(len(b.rows)):
            if i in b.skip:
                continue
            row = b.numbers[i]
            reasons = errs.get(i)
            if reasons is None:
                reasons = []
            org_code, home_code, unit_code = b.org_codes[i], b.residence_codes[i], b.unit_codes[i]
            org = orgs.get(org_code) if org_code else None
            if org_code:
                allowed = org_ok.get(org_code)
                if allowed is None:
                    allowed = org_ok[org_code] = org is not None and self._org_allowed(org)
                if not allowed:
                    reasons.append(f"所在党组织代码“{org_code}”不存在或不在您的管辖范围内")
                    org = None
            home = areas.get(home_code) if home_code else None
            home_bad = False
            if home_code:
                allowed = area_ok.get(home_code)
                if allowed is None:
                    allowed = area_ok[home_code] = home is not None and self._area_allowed(home)
                if not allowed:
                    reasons.append(f"居住区划代码“{home_code}”不存在或不在您的管辖范围内")
                    home, home_bad = None, True
            unit = units.get(unit_code) if unit_code else None
            if unit_code and unit is None:
                try:
                    validate_credit_code(unit_code)
                    reasons.append(
                        f"工作单位信用代码“{unit_code}”在系统中不存在（系统外的单位只填工作单位名称）"
                    )
                except ValidationError:
                    reasons.append(f"工作单位信用代码“{unit_code[:40]}”无效（应为 18 位，末位为校验码）")
            index, member_id = b.indexes[i], b.member_ids[i]
            existing: Existing | None = None
            if index:
                existing = by_index.get(index)
                seen_key = bytes.fromhex(index)
                first = seen.get(seen_key)
                if first is not None:
                    reasons.append(f"身份证号与第 {first} 行重复")
                else:
                    seen[seen_key] = row
                if existing is not None and member_id and member_id != existing.pk:
                    reasons.append("系统编号与身份证号不一致（新增党员的系统编号留空）")
                elif existing is None and member_id:
                    reasons.append("系统编号不存在或与身份证号不一致（新增党员的系统编号留空）")
            elif b.masked_ids[i]:
                existing = self._by_system_id(b, i, by_pk, reasons)
            if existing is not None:
                existing = self._check_existing(b, i, existing, org, reasons)
            birth = existing.birth if existing is not None else b.id_births[i]
            joined = b.joined[i]
            if joined is not None and birth is not None and joined < birth:
                reasons.append("入党时间不能早于出生日期")
            categories = b.categories[i]
            community = community_of.get(home.pk) if home is not None else None
            if "in_service" in categories and community is None and not home_bad:
                reasons.append("在职党员须填写居住区划代码（社区、村或以下）")
            phone = b.phones[i]
            if "*" in phone and (existing is None or phone != existing.phone_masked):
                reasons.append("联系电话是脱敏号码，不能导入：请填写完整号码，或保留导出时的原值")
            if reasons:
                self.bad(row, b.rows[i], reasons)
                continue
            if self.bad_rows:
                continue  # nothing will be written: only look for more errors
            assert org is not None and joined is not None
            work_unit_id = unit[0] if unit is not None else None
            work_unit_name = "" if unit is not None else b.unit_names[i]
            org_area = org.area_id
            ledger = [
                (c, community if c == "in_service" and community else org_area, today_iso)
                for c in CATEGORY_ORDER
                if c in categories
            ]
            if existing is None:
                self.created += 1
                if self.dry_run:
                    continue  # nothing to seal
                compact = b.compacts[i]
                key, letters = names(b.names[i])
                phone_sealed, phone_index, phone_masked = sealer.phone(phone)
                creates.append(
                    bulk.NewMember(
                        b.names[i],
                        key,
                        letters,
                        b.sexes[i],
                        b.ethnicities[i],
                        b.id_births[i].isoformat(),  # type: ignore[union-attr]
                        sealer.seal(compact, ID_PURPOSE),
                        index,
                        f"{compact[:6]}********{compact[-4:]}",
                        phone_sealed,
                        phone_index,
                        phone_masked,
                        b.educations[i],
                        joined.isoformat(),
                        b.standings[i],
                        b.statuses[i],
                        org.pk,
                        home.pk if home is not None else None,
                        work_unit_id,
                        work_unit_name,
                        b.volunteer_nos[i],
                        tuple(ledger),
                    )
                )
            else:
                change = self._changes(b, i, existing, home, work_unit_id, work_unit_name, ledger)
                if change is None:
                    self.unchanged += 1
                else:
                    updates.append(change)
                    self.updated += 1
        return creates, updates

    def _by_system_id(
        self, b: _Batch, i: int, by_pk: dict[int, Existing], reasons: list[str]
    ) -> Existing | None:
        """A row with a masked ID number, matched by 系统编号."""
        member_id = b.member_ids[i]
        if not member_id:
            reasons.append("身份证号是脱敏号码，不能导入：请填写完整号码，或保留导出时的系统编号")
            return None
        existing = by_pk.get(member_id)
        if existing is None or not self._org_allowed(self.orgs_by_pk[existing.org_id]):
            reasons.append("系统编号不存在或不在您的管辖范围内")
            return None
        if existing.masked != b.masked_ids[i]:
            reasons.append("身份证号（脱敏）与系统编号不一致")
            return None
        birth, year = b.births[i], b.birth_years[i]
        if (birth is not None and birth != existing.birth) or (
            year is not None and year != existing.birth.year
        ):
            reasons.append("出生日期与身份证号不符")
        if b.genders[i] and b.genders[i] != existing.gender:
            reasons.append("性别与身份证号不符")
        return existing

    def _check_existing(
        self, b: _Batch, i: int, existing: Existing, org: OrgInfo | None, reasons: list[str]
    ) -> Existing | None:
        row = b.numbers[i]
        first = self.seen_pk.get(existing.pk)
        if first is not None and first != row:
            reasons.append(f"与第 {first} 行是同一名党员")
        else:
            self.seen_pk[existing.pk] = row
        holder = self.orgs_by_pk.get(existing.org_id)
        if holder is None or not self._org_allowed(holder):
            reasons.append(f"该党员已在其他社区台账：{mask_org_name(holder.name if holder else '')}")
            return None
        if org is not None and org.pk != existing.org_id:
            reasons.append(f"不能通过导入改变所在党组织（现为“{holder.code}”）：组织关系请通过转接办理")
        return existing

    def _changes(
        self,
        b: _Batch,
        i: int,
        m: Existing,
        home: AreaInfo | None,
        work_unit_id: int | None,
        work_unit_name: str,
        ledger: list[tuple[str, int, str]],
    ) -> bulk.MemberChange | None:
        """What a row changes of a member already in the ledgers, or None."""
        fields: dict[str, Any] = {}
        audit: dict[str, Any] = {}

        def put(name: str, old: Any, new: Any, column: str | None = None) -> None:
            if old != new:
                fields[column or name] = new.isoformat() if isinstance(new, dt.date) else new
                audit[name] = [_plain(old), _plain(new)]

        name = b.names[i]
        if name != m.name:
            key, letters = self.names(name)
            fields.update(name=name, name_key=key, initials=letters)
            audit["name"] = [m.name, name]
        put("ethnicity", m.ethnicity, b.ethnicities[i])
        put("education", m.education, b.educations[i])
        put("joined_on", m.joined_on, b.joined[i])
        put("standing", m.standing, b.standings[i])
        put("status", m.status, b.statuses[i])
        put("residence", m.residence_id, home.pk if home is not None else None, "residence_id")
        put("work_unit", m.work_unit_id, work_unit_id, "work_unit_id")
        put("work_unit_name", m.work_unit_name, work_unit_name)
        put("volunteer_no", m.volunteer_no, b.volunteer_nos[i])
        phone = b.phones[i]
        if "*" not in phone:
            new_index = self.sealer.index(phone, PHONE_PURPOSE) if phone else ""
            if new_index != m.phone_index:
                sealed, new_index, masked = self.sealer.phone(phone)
                fields.update(phone_sealed=sealed, phone_index=new_index, phone_masked=masked)
                audit["phone"] = [m.phone_masked, masked]
        categories = b.categories[i]
        add = tuple(entry for entry in ledger if entry[0] not in m.open)
        end = tuple(entry for c, entry in sorted(m.open.items()) if c not in categories)
        if add or end:
            audit["categories"] = [sorted(m.open), [c for c in CATEGORY_ORDER if c in categories]]
        if not fields and not add and not end:
            return None
        return bulk.MemberChange(
            pk=m.pk,
            org_id=m.org_id,
            name=name,
            id_number_masked=m.masked,
            fields=fields,
            audit=audit,
            categories_add=add,
            categories_end=end,
        )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
