"""Every write a kept figure counts reaches the tally, the bulk ones too.

Writes through a model's ``save()``/``delete()`` reach it by the signals; the bulk paths
(``bulk_create``, ``update``) call :func:`gongjian.stats.tally.touch_rows`. Each test below runs
writes of one kind and then asks :func:`gongjian.stats.tally.verify`, which recounts every kept
figure from its rows: a path that forgets the tally leaves a figure that drifted, and the test names
it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db.models.signals import post_delete, post_save

from gongjian.core.synthetic import id_number
from gongjian.lists.models import Demand, DemandStatus, Resource, ResourceStatus
from gongjian.lists.services.claims import demands_expire, resources_expire
from gongjian.members.bulk import MemberRow, members_bulk_create
from gongjian.members.importexport import import_ledger
from gongjian.members.models import Category, Member
from gongjian.members.tests.test_importexport import row as ledger_row
from gongjian.members.tests.test_importexport import write as write_ledger
from gongjian.members.tests.test_importexport import xlsx as ledger_xlsx
from gongjian.orgs import services as org_services
from gongjian.orgs.importexport import SHEET_AREAS, SHEET_ORGS, SHEET_UNITS, import_map
from gongjian.orgs.models import ResidentUnit
from gongjian.orgs.tests.test_importexport import AREA_H, ORG_H, UNIT_H, unit_row
from gongjian.orgs.tests.test_importexport import write as write_map
from gongjian.orgs.tests.test_importexport import xlsx as map_xlsx
from gongjian.service import services as service_services
from gongjian.service.models import Activity, ActivityStatus
from gongjian.stats import registry, tally
from gongjian.testing import World, build_every_app, credit_code


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _drift() -> dict[str, int]:
    return tally.verify()


def test_every_app_built_through_its_services_keeps_every_figure(world: World) -> None:
    build_every_app(world)
    assert _drift() == {}


def test_the_ledger_import_and_the_bulk_member_writes_reach_the_tally(world: World, tmp_path: Path) -> None:
    rows = [ledger_row(world, n) for n in range(1, 6)]
    rows += [ledger_row(world, n, 台账类别="离退休") for n in range(6, 9)]
    result = import_ledger(actor=world.wjl_admin, path=write_ledger(tmp_path, ledger_xlsx(rows)))
    assert result.ok, result.errors
    assert _drift() == {}
    # the same people again, two of them moved to another ledger: updates in bulk
    again = [ledger_row(world, n, 台账类别="流动" if n < 3 else "直管") for n in range(1, 6)]
    again += [ledger_row(world, n, 台账类别="离退休") for n in range(6, 9)]
    result = import_ledger(
        actor=world.wjl_admin, path=write_ledger(tmp_path, ledger_xlsx(again), "again.xlsx")
    )
    assert result.ok, result.errors
    assert result.updated >= 2
    assert _drift() == {}

    created = members_bulk_create(
        actor=world.wjl_admin,
        rows=[
            MemberRow(
                name=f"批量{i}",
                id_number=id_number(700 + i, birth=dt.date(1980, 2, 3)),
                org=world.wjl_committee,
                joined_on=dt.date(2001, 7, 1),
                residence=world.wjl_building,
                categories=[(Category.IN_SERVICE, world.wjl, dt.date(2001, 7, 1))],
                co_managed=(world.wjl, world.minzheng, dt.date(2018, 8, 1)) if i % 2 else None,
            )
            for i in range(4)
        ],
        batch_size=2,
    )
    assert created == 4
    assert _drift() == {}


def test_the_map_import_and_a_unit_moving_with_its_organisation_reach_the_tally(
    world: World, tmp_path: Path
) -> None:
    wjl = world.wjl.code
    data = map_xlsx(
        {
            SHEET_AREAS: [
                [*AREA_H],
                [f"{wjl}-B1", "9栋", "楼栋", f"{wjl}-C9", "商务楼宇", "", ""],
                [f"{wjl}-C9", "新9号庭院", "小区网格", wjl, "庭院", "是", "2018-03-01"],
            ],
            SHEET_ORGS: [[*ORG_H], ["PO-NEW-B", "9号庭院党支部", "党支部", f"{wjl}-C9", "", "PO-WJL", ""]],
            SHEET_UNITS: [[*UNIT_H], unit_row(credit_code(3099), "新企业", f"{wjl}-C9", 注册企业数=3)],
        }
    )
    result = import_map(actor=world.wjl_admin, path=write_map(tmp_path, data))
    assert result.ok, result.errors
    assert result.total("created") == 4
    assert _drift() == {}

    # the unit moves: its Party organisation follows in one update (no signals)
    org_services.unit_update(actor=world.superuser, unit=world.minzheng, area=world.wjl_compound)
    assert _drift() == {}


def test_the_lists_expiring_and_the_hours_verified_in_bulk_reach_the_tally(world: World) -> None:
    build_every_app(world)
    # the open demands and resources get a last day (written in bulk, so told to the tally)
    demands = Demand.objects.filter(status=DemandStatus.PUBLISHED, claimed=0)
    demands.update(deadline=dt.date(2099, 1, 1))
    tally.touch_rows(Demand, demands)
    resources = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    resources.update(available_until=dt.date(2099, 1, 1))
    tally.touch_rows(Resource, resources)
    assert _drift() == {}
    assert demands_expire(today=dt.date(2100, 1, 1)) > 0
    assert resources_expire(today=dt.date(2100, 1, 1)) > 0
    assert _drift() == {}

    activity = Activity.objects.filter(status=ActivityStatus.OPEN).order_by("pk").first()
    assert activity is not None
    came = Member.objects.filter(name__startswith="直管").order_by("pk")[:3]
    recorded = service_services.activity_verify_bulk(actor=world.superuser, activity=activity, members=came)
    assert recorded > 0
    assert _drift() == {}


def test_every_model_a_kept_figure_counts_is_connected(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save or delete of any row a figure watches refreshes that figure (through the signals)."""
    build_every_app(world)
    touched: list[str] = []
    monkeypatch.setattr(tally, "touch", lambda indicator, subjects: touched.append(indicator))
    watched = registry.watched_models()
    assert watched, "no kept figure is registered"
    without_rows = []
    for model, sources in watched.items():
        row = model._default_manager.order_by("pk").first()
        if row is None:
            without_rows.append(model._meta.label)
            continue
        expected = {source.indicator for source, watch in sources if list(watch(row))}
        for signal in (post_save, post_delete):
            touched.clear()
            kwargs: dict[str, Any] = {"created": False} if signal is post_save else {}
            signal.send(sender=model, instance=row, using="default", **kwargs)
            assert expected <= set(touched), (model._meta.label, signal, expected - set(touched))
    assert without_rows == []


def test_a_write_that_goes_around_the_tally_is_caught(world: World) -> None:
    """The checks above are not vacuous: an update without :func:`tally.touch_rows` drifts."""
    assert _drift() == {}
    unit = world.minzheng
    ResidentUnit.objects.filter(pk=unit.pk).update(until=unit.since)  # no signal, no touch
    assert "units.resident" in _drift()
