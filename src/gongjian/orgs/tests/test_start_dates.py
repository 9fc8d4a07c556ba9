"""Dated facts, never invented dates (issue 20): a row whose start was left blank counts from the
day it was recorded, says so on its page, and leaves every past figure as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjian.core.synthetic import id_number
from gongjian.members import services as member_services
from gongjian.members.models import Category
from gongjian.orgs import services
from gongjian.orgs.models import PartyOrg, ResidentUnit
from gongjian.orgs.startdates import INVENTED, unknown_starts
from gongjian.stats.indicators import CATALOGUE, compute_all, from_rows
from gongjian.testing import World, build_ledgers, credit_code

ARTICLE = dt.date(2018, 9, 4)


def _units(world: World, date: dt.date) -> int:
    value = CATALOGUE["units.resident"].compute(world.wjl, date)
    assert value is not None
    return int(value)


def test_units_added_today_with_a_blank_start_do_not_change_the_past(world):
    before, today_before = _units(world, ARTICLE), _units(world, timezone.localdate())
    kept_before = compute_all(world.wjl, ARTICLE)["units.resident"]
    for n in range(6):
        unit = services.unit_create(
            actor=world.wjl_admin,
            name=f"新驻区单位{n}",
            credit_code=credit_code(7000 + n),
            kind="private",
            area=world.wjl,
        )
        assert unit.since == timezone.localdate()
        assert unit.since_known is False
    assert _units(world, ARTICLE) == before  # the issue: 3 went to 9
    assert compute_all(world.wjl, ARTICLE)["units.resident"] == kept_before  # the kept tally agrees
    assert _units(world, timezone.localdate()) == today_before + 6


def test_a_given_start_is_kept_and_known(world):
    unit = services.unit_create(
        actor=world.wjl_admin,
        name="有日期的单位",
        credit_code=credit_code(7100),
        kind="private",
        area=world.wjl,
        since=dt.date(2015, 3, 1),
    )
    assert (unit.since, unit.since_known) == (dt.date(2015, 3, 1), True)
    assert _units(world, ARTICLE) == 2  # 民政厅 and this one (the world's map stands from 2000)


def test_an_organisation_without_a_date_counts_from_today(world):
    before = compute_all(world.wjl, ARTICLE)
    org = services.party_org_create(
        actor=world.wjl_admin,
        name="30号庭院第二党支部",
        kind="branch",
        code="PO-WJL-30-2",
        area=world.wjl_compound,
        parent=world.wjl_committee,
    )
    assert (org.since, org.since_known) == (timezone.localdate(), False)
    assert compute_all(world.wjl, ARTICLE) == before


def test_ledger_entry_without_a_date_is_marked_unknown(world):
    ledgers = build_ledgers(world)
    member = ledgers.rows["wjl"][0] if "wjl" in ledgers.rows else next(iter(ledgers.rows.values()))[0]
    entry = member_services.category_add(
        actor=world.superuser, member=member, category=Category.RETIRED, area=world.wjl
    )
    assert (entry.since, entry.since_known) == (timezone.localdate(), False)


def test_the_unit_page_says_recorded_on_and_unknown_never_2000(client, world):
    unit = services.unit_create(
        actor=world.wjl_admin,
        name="无日期单位",
        credit_code=credit_code(7200),
        kind="private",
        area=world.wjl,
    )
    client.force_login(world.wjl_admin)
    html = client.get(reverse("orgs:unit_detail", args=[unit.pk])).content.decode()
    assert f"登记于 {timezone.localdate().isoformat()}（开始日期不详）" in html
    assert "2000年1月1日" not in html


def test_migration_turns_the_invented_2000_into_the_day_it_was_recorded(world):
    unit = services.unit_create(
        actor=world.wjl_admin,
        name="旧数据单位",
        credit_code=credit_code(7300),
        kind="private",
        area=world.wjl,
    )
    ResidentUnit.objects.filter(pk=unit.pk).update(since=INVENTED, since_known=True)  # as stored before
    stated = PartyOrg.objects.get(pk=world.wjl_committee.pk)
    unknown_starts("orgs.ResidentUnit")(apps, None)
    unit.refresh_from_db()
    assert (unit.since, unit.since_known) == (timezone.localdate(), False)  # its audit entry is today's
    assert ResidentUnit.objects.get(pk=world.minzheng.pk).since_known is False  # 2000-01-01 too
    stated.refresh_from_db()
    assert stated.since_known is True  # another table, untouched


def test_the_real_start_is_given_by_an_audited_correction_named_on_the_reports(world):
    import pytest
    from django.core.exceptions import ValidationError

    from gongjian.core.models import AuditEntry
    from gongjian.stats.reports import correction_notes, report_for

    unit = services.unit_create(
        actor=world.wjl_admin,
        name="后补日期单位",
        credit_code=credit_code(7400),
        kind="private",
        area=world.wjl,
    )
    before = _units(world, ARTICLE)
    assert report_for(actor=world.wjl_admin, area=world.wjl, date=ARTICLE).corrections == []
    with pytest.raises(ValidationError):
        services.start_correct(actor=world.wjl_admin, row=unit, since=dt.date(2015, 3, 1), reason=" ")
    with pytest.raises(ValidationError):
        services.start_correct(
            actor=world.wjl_admin, row=unit, since=timezone.localdate() + dt.timedelta(days=1), reason="x"
        )
    unit.refresh_from_db()
    assert (unit.since_known, _units(world, ARTICLE)) == (False, before)  # refused: nothing changed

    services.start_correct(
        actor=world.wjl_admin, row=unit, since=dt.date(2015, 3, 1), reason="据入驻协议，2015年3月入驻"
    )
    unit.refresh_from_db()
    assert (unit.since, unit.since_known) == (dt.date(2015, 3, 1), True)
    assert _units(world, ARTICLE) == before + 1  # exactly the corrected figure
    assert compute_all(world.wjl, ARTICLE)["units.resident"] == before + 1  # kept tally too
    entry = AuditEntry.objects.get(action="history.correct", object_id=str(unit.pk))
    assert entry.reason == "据入驻协议，2015年3月入驻"
    from gongjian.core.models import Notification

    told = Notification.objects.filter(kind="history.correct")
    assert {n.recipient.username for n in told} == {
        "dongfeng_admin"
    }  # the level above (the actor is not told)
    for node in (world.wjl, world.dongfeng, world.changsha):  # named on the reports of every node above
        report = report_for(actor=world.superuser, area=node, date=ARTICLE)
        [note] = correction_notes(report)
        assert "2015-03-01" in note and "后补日期单位" in note and "据入驻协议" in note
    assert report_for(actor=world.superuser, area=world.jsh, date=ARTICLE).corrections == []
    assert report_for(actor=world.superuser, area=world.wjl, date=dt.date(2014, 1, 1)).corrections == []


def test_a_correction_outside_ones_area_is_refused(world):
    import pytest
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_correct(
            actor=world.jsh_admin, row=world.minzheng, since=dt.date(1999, 1, 1), reason="越权"
        )


def test_giving_the_real_start_later_is_a_correction_never_an_edit(world):
    unit = services.unit_create(
        actor=world.wjl_admin,
        name="后补日期单位",
        credit_code=credit_code(7400),
        kind="private",
        area=world.wjl,
    )
    assert unit.since_known is False
    recorded = unit.since
    # an edit that moves the start (back-dating it) is refused and changes nothing
    with pytest.raises(ValidationError) as refused:
        services.unit_update(actor=world.wjl_admin, unit=unit, name="改名", since=dt.date(2019, 5, 1))
    assert "since" in refused.value.message_dict
    unit.refresh_from_db()
    assert (unit.name, unit.since, unit.since_known) == ("后补日期单位", recorded, False)
    # the same start again (a form sent back unchanged) is no change
    services.unit_update(actor=world.wjl_admin, unit=unit, name="改名", since=recorded)
    unit.refresh_from_db()
    assert (unit.name, unit.since) == ("改名", recorded)
    # the correction, with its reason, gives the real start and makes it known
    services.start_correct(actor=world.wjl_admin, row=unit, since=dt.date(2019, 5, 1), reason="据入驻协议")
    unit.refresh_from_db()
    assert (unit.since, unit.since_known) == (dt.date(2019, 5, 1), True)


@pytest.mark.parametrize("kind", ["area", "org", "alliance"])
def test_no_edit_moves_a_start(world, kind):
    row, update = {
        "area": (
            world.jsh_compound,
            lambda **kw: services.area_update(actor=world.superuser, area=row, **kw),
        ),
        "org": (
            world.jsh_branch,
            lambda **kw: services.party_org_update(actor=world.superuser, org=row, **kw),
        ),
        "alliance": (
            world.alliance,
            lambda **kw: services.alliance_update(actor=world.superuser, alliance=row, **kw),
        ),
    }[kind]
    before = row.since
    with pytest.raises(ValidationError):
        update(since=before - dt.timedelta(days=400))
    row.refresh_from_db()
    assert row.since == before


def test_the_edit_form_shows_the_start_but_keeps_it(client, world):
    """A posted start on the unit's edit form is ignored (the field is disabled) and the page says
    where a start is corrected."""
    client.force_login(world.wjl_admin)
    unit = world.minzheng
    url = reverse("orgs:unit_edit", args=[unit.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "更正历史" in page.content.decode()
    before = unit.since
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "area"}
    data.update({"area": unit.area_id, "since": "1990-01-01", "name": unit.name})
    client.post(url, data)
    unit.refresh_from_db()
    assert unit.since == before


# --- property: later writes never rewrite the past --------------------------------------------

_WRITE = st.sampled_from(["unit", "org", "alliance_member", "unit_end", "category"])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    writes=st.lists(st.tuples(_WRITE, st.booleans(), st.integers(0, 30)), min_size=1, max_size=6),
    days_back=st.lists(st.integers(1, 9000), min_size=1, max_size=3),
)
def test_no_later_write_changes_a_past_figure(world, writes, days_back):
    """For random histories of writes made today (blank starts, starts from today on, ends today),
    every figure of 王家垅社区 and 长沙市 on any past date, kept and counted, is what it was."""
    today = timezone.localdate()
    past = [today - dt.timedelta(days=d) for d in days_back]
    nodes = [world.wjl, world.changsha]
    try:
        with transaction.atomic():
            before = {(n.pk, d): compute_all(n, d) for n in nodes for d in past}
            for n, (kind, blank, ahead) in enumerate(writes):
                since = None if blank else today + dt.timedelta(days=ahead)
                serial = 9000 + n
                if kind == "unit":
                    services.unit_create(
                        actor=world.superuser,
                        name=f"性质单位{n}",
                        credit_code=credit_code(serial),
                        kind="private",
                        area=world.wjl,
                        since=since,
                    )
                elif kind == "org":
                    services.party_org_create(
                        actor=world.superuser,
                        name=f"性质党支部{n}",
                        kind="branch",
                        code=f"PO-P-{n}",
                        area=world.wjl_compound,
                        since=since,
                    )
                elif kind == "alliance_member":
                    unit = services.unit_create(
                        actor=world.superuser,
                        name=f"性质成员{n}",
                        credit_code=credit_code(serial),
                        kind="private",
                        area=world.wjl,
                    )
                    services.alliance_member_add(
                        actor=world.superuser, alliance=world.alliance, unit=unit, since=since
                    )
                elif kind == "unit_end":
                    unit = services.unit_create(
                        actor=world.superuser,
                        name=f"性质迁出{n}",
                        credit_code=credit_code(serial),
                        kind="private",
                        area=world.wjl,
                    )
                    services.unit_update(actor=world.superuser, unit=unit, until=today)
                else:
                    member = member_services.member_create(
                        actor=world.superuser,
                        name=f"性质党员{n}",
                        id_number=id_number(500 + n),
                        org=world.wjl_committee,
                        joined_on=dt.date(2001, 7, 1),
                        residence=world.wjl_compound,
                    )
                    member_services.category_add(
                        actor=world.superuser, member=member, category=Category.DIRECT, since=since
                    )
            for (pk, day), figures in before.items():
                node = next(n for n in nodes if n.pk == pk)
                assert compute_all(node, day) == figures, day
                assert from_rows(node, day) == figures, day
            raise _Rollback
    except _Rollback:
        pass


class _Rollback(Exception):
    """Undo one example's writes (hypothesis runs many examples in one test)."""


def test_the_correction_page_needs_a_reason_and_corrects(client, world):
    unit = services.unit_create(
        actor=world.wjl_admin,
        name="页面更正单位",
        credit_code=credit_code(7500),
        kind="private",
        area=world.wjl,
    )
    client.force_login(world.wjl_admin)
    detail = client.get(reverse("orgs:unit_detail", args=[unit.pk])).content.decode()
    url = reverse("orgs:unit_correct_start", args=[unit.pk])
    assert url in detail and "更正" in detail
    refused = client.post(url, {"since": "2015-03-01", "reason": ""})
    assert refused.status_code == 200  # the form again
    unit.refresh_from_db()
    assert unit.since_known is False
    done = client.post(url, {"since": "2015-03-01", "reason": "据入驻协议"})
    assert done.status_code == 302
    unit.refresh_from_db()
    assert (unit.since, unit.since_known) == (dt.date(2015, 3, 1), True)
    org_url = reverse("orgs:org_correct_start", args=[world.jsh_branch.pk])
    assert client.get(org_url).status_code == 404  # outside the administrator's area
