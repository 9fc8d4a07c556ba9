"""Issue 16: on a phone, a long choice in a picker, then the form's button straight away (the
drop-down still open): nothing moves when the picker loses focus, so the click is not lost."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongjian.appeals import services as appeals
from gongjian.appeals.models import AppealStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_choosing_a_long_option_then_submitting_at_once_is_not_lost(phone, world):
    appeal = appeals.appeal_register(
        actor=world.wjl_admin,
        area=world.wjl,
        kind="general",
        title="楼道灯不亮",
        channel="walk_in",
        resident_name="李阿姨",
        phone="13900001111",
    )
    phone.login("wjl_admin")
    phone.goto(reverse("appeals:detail", args=[appeal.pk]))
    phone.focus("#id_assign-org-ts-control")
    phone.keyboard.type("民政")
    phone.locator(".ts-dropdown .option:visible", has_text="省民政厅机关党委").first.click()
    button = phone.locator("form[data-action=assign] button[type=submit]")
    before = button.bounding_box()
    phone.evaluate("document.activeElement && document.activeElement.blur()")
    assert button.bounding_box() == before  # the picker losing focus moves nothing
    phone.focus("#id_assign-org-ts-control")  # open again, and click the button straight away
    button.click()
    phone.wait_for_load_state()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ASSIGNED and appeal.assigned_org == world.minzheng_org
