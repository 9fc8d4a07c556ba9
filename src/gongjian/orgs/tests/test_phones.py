"""A phone that is not a phone is refused (issue 20): ``12345`` on a unit is a form error, an API 400
and an import error, never stored and shown "–"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from gongjian.core.phones import is_phone
from gongjian.orgs import services
from gongjian.orgs.models import ResidentUnit
from gongjian.testing import credit_code


@pytest.mark.parametrize("phone", ["13800001234", "0731-88886666", "+86 138 0000 1234", "400-800-1234"])
def test_phones_that_can_be_dialled(phone):
    assert is_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "88886666", "12345678901", "abc"])
def test_numbers_that_are_not_phones(phone):
    assert not is_phone(phone)


def test_the_service_refuses_and_writes_nothing(world):
    before = ResidentUnit.objects.count()
    with pytest.raises(ValidationError) as err:
        services.unit_create(
            actor=world.wjl_admin,
            name="电话错误单位",
            credit_code=credit_code(7600),
            kind="private",
            area=world.wjl,
            contact_phone="12345",
        )
    assert "contact_phone" in err.value.message_dict
    assert ResidentUnit.objects.count() == before
    with pytest.raises(ValidationError):
        services.unit_update(actor=world.wjl_admin, unit=world.minzheng, contact_phone="12345")
    world.minzheng.refresh_from_db()
    assert world.minzheng.contact_phone_clear() == "13800001234"


def test_the_unit_form_says_so(client, world):
    client.force_login(world.wjl_admin)
    response = client.post(
        reverse("orgs:unit_edit", args=[world.minzheng.pk]),
        {
            "name": world.minzheng.name,
            "credit_code": world.minzheng.credit_code,
            "kind": "organ",
            "rank": "provincial",
            "area": str(world.wjl.pk),
            "hosted_firms": "0",
            "since": "2000-01-01",
            "contact_phone": "12345",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    assert "不是电话号码" in html
    assert "12345" not in html.split("<form", 1)[-1].split("</form>")[0].replace("0731-88886666", "")
    world.minzheng.refresh_from_db()
    assert world.minzheng.contact_phone_clear() == "13800001234"


def test_the_api_answers_400(world):
    client = APIClient()
    client.force_authenticate(world.wjl_admin)
    response = client.patch(f"/api/v1/units/{world.minzheng.pk}/", {"contact_phone": "12345"}, format="json")
    assert response.status_code == 400
    assert "contact_phone" in response.json()
    world.minzheng.refresh_from_db()
    assert world.minzheng.contact_phone_clear() == "13800001234"
