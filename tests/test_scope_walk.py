"""Walk every page and API endpoint as each role and prove nothing outside the role's scope can be
read or changed.

The scope is computed here by an independent oracle (the rules of the domain guide, written again
plainly), not by the selectors under test. Every URL pattern of the project must be classified in
ROUTES below: a new endpoint that is not fails ``test_every_route_is_classified``, so later issues
extend this walk with their endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gongjian.accounts.models import ADMIN_LEVELS, Role, RoleKind
from gongjian.core.models import AuditEntry, Job
from gongjian.members.models import (
    CoManagement,
    Household,
    Member,
    MemberCategory,
    MemberReport,
    MobileRecord,
    Station,
    Transfer,
    UnitReport,
)
from gongjian.orgs.models import Alliance, AllianceMember, Area, PartyOrg, ResidentUnit
from gongjian.testing import World, build_ledgers

# url name -> the model whose object the route opens (kwarg "pk"); "list" for collection routes;
# "public" for routes anyone may call; "own" for the caller's own rows.
ROUTES: dict[str, Any] = {
    # pages
    "home": "list",
    "orgs:tree": "list",
    "orgs:search": "list",
    "orgs:unit_list": "list",
    "orgs:unit_create": "list",
    "orgs:org_list": "list",
    "orgs:org_create": "list",
    "orgs:alliance_list": "list",
    "orgs:alliance_create": "list",
    "orgs:import": "list",
    "orgs:import_template": "list",
    "orgs:area_detail": Area,
    "orgs:area_edit": Area,
    "orgs:area_add_child": Area,
    "orgs:export": Area,
    "orgs:unit_detail": ResidentUnit,
    "orgs:unit_edit": ResidentUnit,
    "orgs:unit_reveal_phone": ResidentUnit,
    "orgs:org_detail": PartyOrg,
    "orgs:org_edit": PartyOrg,
    "orgs:alliance_detail": Alliance,
    "orgs:alliance_edit": Alliance,
    "orgs:alliance_member_add": Alliance,
    "orgs:alliance_member_end": Alliance,
    "core:job": Job,
    "core:job_download": Job,
    "accounts:tokens": "own",
    "accounts:login": "public",
    "accounts:logout": "public",
    "set_language": "public",
    "members:home": "list",
    # API
    "api-root": "list",
    "api-me": "own",
    "api-token": "public",
    "schema": "public",
    "api-docs": "public",
    "area-list": "list",
    "unit-list": "list",
    "party-org-list": "list",
    "alliance-list": "list",
    "job-list": "own",
    "api-map-import": "list",
    "api-map-export": "list",
    "api-map-template": "list",
    "area-detail": Area,
    "area-children": Area,
    "unit-detail": ResidentUnit,
    "unit-reveal-contact-phone": ResidentUnit,
    "party-org-detail": PartyOrg,
    "alliance-detail": Alliance,
    "alliance-members": Alliance,
    "alliance-end-membership": Alliance,
    "job-detail": Job,
    # member ledgers: pages
    "members:member_list": "list",
    "members:member_create": "list",
    "members:transfer_list": "list",
    "members:unit_report_list": "list",
    "members:unit_report_create": "list",
    "members:import": "list",
    "members:import_template": "list",
    "members:ledger": Area,
    "members:report_list": Area,
    "members:mobile_list": Area,
    "members:station_list": Area,
    "members:station_create": Area,
    "members:household_list": Area,
    "members:household_award": Area,
    "members:export": Area,
    "members:export_clear": Area,
    "members:member_detail": Member,
    "members:member_edit": Member,
    "members:member_reveal": Member,
    "members:category_add": Member,
    "members:category_end": Member,
    "members:member_report_create": Member,
    "members:mobile_create": Member,
    "members:transfer_issue": Member,
    "members:report_detail": MemberReport,
    "members:report_decide": MemberReport,
    "members:report_contact_add": MemberReport,
    "members:feedback_sheet": ResidentUnit,
    "members:mobile_report_back": MobileRecord,
    "members:mobile_end": MobileRecord,
    "members:station_detail": Station,
    "members:station_check_in": Station,
    "members:transfer_detail": Transfer,
    "members:transfer_receive": Transfer,
    "members:transfer_reject": Transfer,
    "members:household_detail": Household,
    "members:household_withdraw": Household,
    # member ledgers: API
    "member-list": "list",
    "member-lookup": "list",
    "member-report-list": "list",
    "unit-report-list": "list",
    "co-management-list": "list",
    "mobile-record-list": "list",
    "mobile-reminders": "list",
    "station-list": "list",
    "transfer-list": "list",
    "household-list": "list",
    "api-ledger-import": "list",
    "api-ledger-export": "list",
    "api-ledger-template": "list",
    "ledger-counts": Area,
    "member-detail": Member,
    "member-reveal": Member,
    "member-categories": Member,
    "member-category-end": MemberCategory,
    "member-report-detail": MemberReport,
    "member-report-decide": MemberReport,
    "member-report-contacts": MemberReport,
    "unit-report-detail": UnitReport,
    "co-management-detail": CoManagement,
    "co-management-end": CoManagement,
    "mobile-record-detail": MobileRecord,
    "mobile-record-end": MobileRecord,
    "mobile-record-report-back": MobileRecord,
    "station-detail": Station,
    "station-check-ins": Station,
    "transfer-detail": Transfer,
    "transfer-receive": Transfer,
    "transfer-reject": Transfer,
    "household-detail": Household,
    "household-withdraw": Household,
}

#: API lists that take ``?within=<area id>``: an area outside the scope answers 404.
WITHIN_LISTS = {"area-list", "unit-list", "party-org-list", "alliance-list", "member-list"}

ROLES = [
    "city_admin",
    "kaifu_admin",
    "dongfeng_admin",
    "wjl_admin",
    "jsh_admin",
    "liaison",
    "member",
    "resident",
]


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            kwargs = tuple(sorted(p.pattern.regex.groupindex))
            if "format" in kwargs:  # DRF's format-suffix twins of the same views
                continue
            yield Route(f"{namespace}{p.name}", kwargs)


def all_routes() -> list[Route]:
    return sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r.name)


class Oracle:
    """What a role may see, from the rules: administrators their subtree, liaisons their unit."""

    def __init__(self, user: Any) -> None:
        self.user_id = user.pk
        roles = list(Role.objects.filter(user=user, active=True))
        self.paths = [r.area.path for r in roles if r.kind in ADMIN_LEVELS and r.area]
        self.units = {r.unit_id for r in roles if r.kind == RoleKind.UNIT_LIAISON}
        # Names a role may be shown as labels: where its roles are held, and the ancestors of those
        # places (breadcrumbs, public administrative divisions).
        self.labels: set[str] = set()
        for r in roles:
            place = r.area or r.unit.area
            self.labels |= {a.name for a in Area.objects.get_ancestors(place)} | {place.name}
            if r.unit:
                self.labels.add(r.unit.name)
        if self.units:
            # A unit's staff may live anywhere: a liaison picks residences from every place of the
            # map (place names are public; nothing else about those places is shown).
            self.labels |= set(Area.objects.values_list("name", flat=True))

    def _in(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)

    def sees(self, obj: models.Model) -> bool:
        if isinstance(obj, Area):
            return self._in(obj.path)
        if isinstance(obj, ResidentUnit):
            return self._in(obj.area.path) or obj.pk in self.units
        if isinstance(obj, PartyOrg):
            return self._in(obj.area.path) or obj.unit_id in self.units
        if isinstance(obj, Alliance):
            current = AllianceMember.objects.filter(alliance=obj, until__isnull=True)
            return self._in(obj.area.path) or current.filter(unit_id__in=self.units).exists()
        if isinstance(obj, Member):
            places = [obj.org.area.path]
            places += [obj.residence.path] if obj.residence else []
            places += [c.community.path for c in CoManagement.objects.filter(member=obj)]
            places += [r.community.path for r in MemberReport.objects.filter(member=obj)]
            return (
                any(self._in(p) for p in places)
                or obj.org.unit_id in self.units
                or obj.work_unit_id in self.units
                or obj.user_id == self.user_id
            )
        if isinstance(obj, MemberReport | MobileRecord | MemberCategory):
            return self.sees(obj.member)
        if isinstance(obj, UnitReport):
            return (
                self._in(obj.community.path) or self._in(obj.org.area.path) or obj.org.unit_id in self.units
            )
        if isinstance(obj, CoManagement):
            return self._in(obj.community.path) or obj.unit_id in self.units
        if isinstance(obj, Station | Household):
            return self._in(obj.area.path)
        if isinstance(obj, Transfer):
            return any(self._in(o.area.path) or o.unit_id in self.units for o in (obj.from_org, obj.to_org))
        raise AssertionError(obj)


def _url(route: Route, pk: int, extra: dict[str, int] | None = None) -> str:
    kwargs = {"pk": pk, **(extra or {})}
    return reverse(route.name, kwargs={k: kwargs[k] for k in route.kwargs})


def _extra(route: Route, obj: models.Model) -> dict[str, int] | None:
    if "member_pk" in route.kwargs:
        member = AllianceMember.objects.filter(alliance=obj).first()
        return {"member_pk": member.pk if member else 0}
    if "entry_pk" in route.kwargs:
        entry = MemberCategory.objects.filter(member=obj).first()
        return {"entry_pk": entry.pk if entry else 0}
    return None


def test_every_route_is_classified():
    names = {r.name for r in all_routes()}
    missing = sorted(names - set(ROUTES))
    assert not missing, f"add these routes to ROUTES in {__file__} and to the walk: {missing}"
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"these routes no longer exist: {stale}"


def _sentinels(oracle: Oracle) -> list[str]:
    """Distinctive names of rows the role may not see: none may appear in any response."""
    names: list[str] = []
    for model in (Area, ResidentUnit, PartyOrg, Alliance, Member, Station):
        for obj in model.objects.all():
            if not oracle.sees(obj) and len(obj.name) >= 3:
                names.append(obj.name)
    return names


@pytest.mark.parametrize("role", ROLES)
def test_nothing_outside_scope_is_readable_or_changeable(world: World, role: str) -> None:
    build_ledgers(world)
    user = getattr(world, role)
    oracle = Oracle(user)
    client = Client()
    client.force_login(user)
    # a job of someone else's, which nobody but its owner may open
    foreign_job = Job.objects.create(kind="map_import", actor=world.superuser, status="done")
    audit_before = AuditEntry.objects.count()
    sentinels = _sentinels(oracle)
    forbidden_names = [n for n in sentinels if not any(n in s for s in _visible_names(oracle))]
    checked_objects = 0

    for route in all_routes():
        kind = ROUTES[route.name]
        if kind == "public":
            continue
        if isinstance(kind, type) and issubclass(kind, models.Model):
            objects = [foreign_job] if kind is Job else list(kind.objects.all())
            for obj in objects:
                visible = kind is not Job and oracle.sees(obj)
                url = _url(route, obj.pk, _extra(route, obj))
                get = client.get(url)
                if visible:
                    # readable objects open; forms to change them may still be refused (403)
                    expected = (200,) if route.name.endswith("detail") else (200, 302, 403, 405)
                    assert get.status_code in expected, (role, url, get.status_code)
                    continue
                checked_objects += 1
                assert get.status_code in (403, 404, 405), (role, url, get.status_code)
                data = {"name": "x", "reason": "walk", "until": "2030-01-01", "member": 1}
                responses = [client.post(url, data)] + [
                    getattr(client, m)(url, data=data, content_type="application/json")
                    for m in ("post", "patch", "put", "delete")
                ]
                for resp in responses:
                    assert resp.status_code in (403, 404, 405), (
                        role,
                        resp.request["REQUEST_METHOD"],
                        url,
                        resp.status_code,
                    )
        else:
            url = reverse(route.name)
            resp = client.get(url)
            assert resp.status_code in (200, 302, 400, 403, 404, 405), (role, url, resp.status_code)
            body = resp.content.decode("utf-8", "ignore")
            for name in forbidden_names:
                assert name not in body, (role, url, name)
            # lists filtered to an area outside the scope answer 404, not an empty or full list
            outside = next((a for a in Area.objects.all() if not oracle.sees(a)), None)
            if outside is not None and resp.status_code == 200 and route.name in WITHIN_LISTS:
                assert client.get(url, {"within": outside.pk}).status_code == 404, (role, url)
    # nothing was written by any of it
    assert AuditEntry.objects.count() == audit_before, role
    if role not in ("city_admin",):
        assert checked_objects > 0, role


def _visible_names(oracle: Oracle) -> list[str]:
    own = [
        obj.name
        for model in (Area, ResidentUnit, PartyOrg, Alliance, Member, Station)
        for obj in model.objects.all()
        if oracle.sees(obj)
    ]
    # Rows a role sees name what they point at: an alliance its convener and area, a member their
    # organisation, residence and employer, a plaque the street that awarded it, a transfer both
    # organisations.
    pointed = [
        name
        for obj in [
            *Alliance.objects.all(),
            *Member.objects.all(),
            *Household.objects.all(),
            *Transfer.objects.all(),
            *MemberReport.objects.all(),
            *CoManagement.objects.all(),
            *UnitReport.objects.all(),
            *MobileRecord.objects.all(),
        ]
        if oracle.sees(obj)
        for name in _pointed_names(obj)
    ]
    return own + sorted(oracle.labels) + pointed


def _pointed_names(obj: models.Model) -> list[str]:
    names = []
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.related_model in (Area, PartyOrg, ResidentUnit, Member, Alliance):
            target = getattr(obj, field.name)
            if target is not None:
                names.append(target.name)
                if isinstance(target, PartyOrg | ResidentUnit | Member):
                    names.extend(_pointed_names(target))
    return names


@pytest.mark.parametrize("role", ["wjl_admin", "jsh_admin", "liaison", "member"])
def test_creating_into_another_scope_changes_nothing(world: World, role: str) -> None:
    user = getattr(world, role)
    oracle = Oracle(user)
    target = next(a for a in (world.jsh, world.wjl) if not oracle.sees(a))
    client = Client()
    client.force_login(user)
    before = (
        AuditEntry.objects.count(),
        Area.objects.count(),
        ResidentUnit.objects.count(),
        PartyOrg.objects.count(),
    )
    attempts = [
        (reverse("area-list"), {"parent": target.pk, "name": "越界小区", "level": 5}),
        (
            reverse("unit-list"),
            {"name": "越界单位", "credit_code": "12430105000030038X", "kind": "private", "area": target.pk},
        ),
        (
            reverse("party-org-list"),
            {"name": "越界支部", "kind": "branch", "code": "PO-OUT", "area": target.pk},
        ),
        (
            reverse("orgs:unit_create"),
            {
                "name": "越界单位",
                "credit_code": "12430105000030038X",
                "kind": "private",
                "rank": "none",
                "area": target.pk,
            },
        ),
        (
            reverse("orgs:org_create"),
            {"name": "越界支部", "kind": "branch", "code": "PO-OUT", "area": target.pk},
        ),
    ]
    for url, data in attempts:
        resp = client.post(url, data)
        assert resp.status_code in (200, 400, 403, 404), (url, resp.status_code)
    after = (
        AuditEntry.objects.count(),
        Area.objects.count(),
        ResidentUnit.objects.count(),
        PartyOrg.objects.count(),
    )
    assert after == before
