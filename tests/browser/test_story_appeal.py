"""Story 3 (issue 16), phone and desktop: a resident raises an appeal; the community administrator
finds it on their home and assigns it to a unit's organisation; the unit liaison is told in the
bell and by text message (the console gateway's record), finds it on their home and answers; the
resident is told in the bell and by e-mail and reads the answer on the appeal's page.

Every step starts from the person's home and only clicks and types; axe-core checks every page.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.core import mail

from gongjian.accounts.models import User
from gongjian.appeals.models import Appeal, AppealStatus
from gongjian.core.synthetic import id_number
from gongjian.members import services as member_services
from gongjian.testing import World

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "30号庭院路灯不亮"
ANSWER = "已联系物业，本周五前修好路灯"


def test_a_resident_raises_an_appeal_and_sees_it_answered(
    people: Any, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    User.objects.filter(username="resident").update(email="resident@example.org")
    # the liaison's own member record carries the phone texts go to
    liaison_member = member_services.member_create(
        actor=world.superuser,
        name="联络员甲",
        id_number=id_number(31),
        org=world.minzheng_org,
        joined_on=dt.date(2010, 7, 1),
        phone="13800009876",
    )
    member_services.member_link_user(actor=world.superuser, member=liaison_member, user=world.liaison)
    caplog.set_level(logging.INFO, logger="gongjian.core.sms")
    resident = people("resident")
    admin = people("wjl_admin")
    liaison = people("liaison")

    # the resident raises an appeal from their home's quick links
    resident.sign_in()
    resident.click("main a[href$='/appeals/raise/']")
    resident.pick("area", "王家垅", "王家垅社区")  # their own community, the only choice
    resident.page.fill("#id_title", TITLE)
    resident.page.fill("#id_resident_name", "李阿姨")
    resident.page.fill("#id_phone", "13900001111")
    resident.submit()
    appeal = Appeal.objects.get(title=TITLE)
    assert appeal.status == AppealStatus.REGISTERED and appeal.resident == world.resident

    # the community administrator finds it on their home and assigns it to the unit's organisation
    admin.sign_in()
    line = admin.inbox("appeals.to_assign")
    assert line.locator(".inbox-count").inner_text().strip() == "1"
    admin.click(line.locator("a.inbox-act"))
    admin.click(admin.page.locator("main a", has_text=TITLE).first)
    admin.pick("assign-org", "民政", "省民政厅机关党委")
    admin.click("form[data-action=assign] button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ASSIGNED and appeal.assigned_org == world.minzheng_org

    # the liaison is told by text message (the number masked in the gateway's record) and in the bell
    texts = [r.getMessage() for r in caplog.records if r.name == "gongjian.core.sms"]
    assert any(appeal.number in t and "138****9876" in t for t in texts), texts
    assert not any("13800009876" in t for t in texts)
    liaison.sign_in()
    assert liaison.unread() >= 1
    line = liaison.inbox("appeals.assigned_to_unit")
    assert line.locator(".inbox-count").inner_text().strip() == "1"
    liaison.click(line.locator("a.inbox-act"))
    liaison.click(liaison.page.locator("main a", has_text=TITLE).first)
    liaison.page.fill("#id_answer-answer", ANSWER)
    liaison.click("form[data-action=answer] button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED

    # the resident is told in the bell and by e-mail, and reads the answer on the appeal's page
    assert any(
        appeal.number in m.subject or TITLE in m.body for m in mail.outbox if "resident@example.org" in m.to
    )
    resident.home()
    assert resident.unread() >= 1
    resident.bell()
    assert appeal.number in resident.text() or TITLE in resident.text()
    resident.home()
    resident.click(resident.inbox("appeals.mine_open").locator("a.inbox-act"))
    resident.click(resident.page.locator("main a", has_text=TITLE).first)
    assert ANSWER in resident.text()

    for person in (resident, admin, liaison):
        person.assert_accessible()
