"""The API of agreements, committees and part-time seats: scope, filters, each step, errors in the
caller's language, the PDFs, and the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gongjian.cobuild.models import Agreement, AgreementStatus, Committee, PartTimeSeat, SeatStep
from gongjian.cobuild.tests.fixtures_agreements import CobuildAgreements, build_cobuild_agreements
from gongjian.core.models import AuditEntry
from gongjian.core.pdf import pdf_text
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

TODAY = timezone.localdate()


@pytest.fixture
def api(world: World) -> Any:
    def as_user(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


@pytest.fixture
def c(world: World) -> CobuildAgreements:
    return build_cobuild_agreements(world)


def _ids(resp: Any) -> set[int]:
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


def test_list_is_scoped_and_filtered(api: Any, world: World, c: CobuildAgreements) -> None:
    url = reverse("agreement-list")
    assert _ids(api(world.jsh_admin).get(url)) == {c.jsh.pk}
    assert _ids(api(world.liaison).get(url)) == {c.wjl_in_force.pk, c.wjl_draft.pk, c.street.pk}
    assert _ids(api(world.member).get(url)) == set()
    city = api(world.city_admin)
    assert _ids(city.get(url, {"status": "draft"})) == {c.wjl_draft.pk}
    assert _ids(city.get(url, {"status": "in_force"})) == {c.wjl_in_force.pk, c.street.pk, c.jsh.pk}
    assert _ids(city.get(url, {"within": world.jsh.pk})) == {c.jsh.pk}
    assert _ids(city.get(url, {"unit": world.jsh_firm.pk})) == {c.jsh.pk}
    assert _ids(city.get(url, {"q": "mzt"})) == {c.wjl_in_force.pk, c.wjl_draft.pk, c.street.pk}
    assert city.get(url, {"status": "bogus"}).status_code == 400
    assert api(world.wjl_admin).get(url, {"within": world.jsh.pk}).status_code == 404
    row = city.get(reverse("agreement-detail", args=[c.wjl_in_force.pk])).json()
    assert row["status"] == "in_force" and row["number"] == c.wjl_in_force.number
    assert [cl["kind"] for cl in row["clauses"]] == ["consult", "resources", "teams"]
    assert row["host_org_name"] == "王家垅社区党委" and row["unit_name"] == "湖南省民政厅"
    assert api(world.jsh_admin).get(reverse("agreement-detail", args=[c.wjl_in_force.pk])).status_code == 404


def test_create_update_sign_review_end(api: Any, world: World) -> None:
    liaison = api(world.liaison)
    body = {
        "host_org": world.wjl_committee.pk,
        "unit_org": world.minzheng_org.pk,
        "starts_on": (TODAY - dt.timedelta(days=5)).isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=360)).isoformat(),
        "clauses": [{"kind": "consult", "text": "共商党建"}, {"kind": "other", "text": "共办读书会"}],
        "yearly_plan": "读书会4次",
    }
    resp = liaison.post(reverse("agreement-list"), body, format="json")
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["status"] == "draft" and resp.json()["number"].endswith("-开福-0001")
    detail = reverse("agreement-detail", args=[pk])
    resp = liaison.patch(detail, {"clauses": [{"kind": "venues", "text": "共用活动室"}]}, format="json")
    assert resp.status_code == 200 and [cl["kind"] for cl in resp.json()["clauses"]] == ["venues"]
    # fields that do not change here are refused, not dropped
    resp = liaison.patch(detail, {"host_org": world.wjl_committee.pk, "status": "signed"}, format="json")
    assert resp.status_code == 400 and set(resp.json()) == {"host_org", "status"}
    sign = {"signed_on": TODAY.isoformat(), "host_signatory": "王书记", "unit_signatory": "李厅长"}
    assert liaison.post(reverse("agreement-sign", args=[pk]), sign, format="json").status_code == 403
    admin = api(world.wjl_admin)
    resp = admin.post(reverse("agreement-sign", args=[pk]), sign, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "in_force"
    assert admin.patch(detail, {"yearly_plan": "x"}, format="json").status_code == 400
    review = {"year": TODAY.year, "rating": "good", "summary": "完成"}
    assert admin.post(reverse("agreement-reviews", args=[pk]), review, format="json").status_code == 201
    assert admin.post(reverse("agreement-reviews", args=[pk]), review, format="json").status_code == 400
    assert [r["year"] for r in liaison.get(reverse("agreement-reviews", args=[pk])).json()] == [TODAY.year]
    resp = admin.post(reverse("agreement-end", args=[pk]), {"ended_on": TODAY.isoformat(), "reason": "撤并"})
    assert resp.status_code == 200 and resp.json()["status"] == "ended"
    agreement = Agreement.objects.get(pk=pk)
    assert agreement.status == AgreementStatus.ENDED and agreement.end_reason == "撤并"


def test_errors_in_the_callers_language_change_nothing(api: Any, world: World) -> None:
    admin = api(world.wjl_admin)
    before = (AuditEntry.objects.count(), Agreement.objects.count())
    body = {
        "host_org": world.wjl_committee.pk,
        "unit_org": world.minzheng_org.pk,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY - dt.timedelta(days=1)).isoformat(),
        "clauses": [{"kind": "consult", "text": "x"}],
    }
    resp = admin.post(reverse("agreement-list"), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400 and resp.json() == {"ends_on": ["The term cannot end before it starts."]}
    body["ends_on"] = TODAY.isoformat()
    body["clauses"] = [{"kind": "consult", "text": "x"}, {"kind": "consult", "text": "y"}]
    resp = admin.post(reverse("agreement-list"), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400 and "clauses" in resp.json()
    # a host outside the scope is not a choice
    body["clauses"] = [{"kind": "consult", "text": "x"}]
    body["host_org"] = PartyOrg.objects.get(code="PO-JSH").pk
    assert admin.post(reverse("agreement-list"), body, format="json").status_code == 400
    assert api(world.member).post(reverse("agreement-list"), body, format="json").status_code == 400
    assert (AuditEntry.objects.count(), Agreement.objects.count()) == before


def test_pdf_by_the_api(api: Any, world: World, c: CobuildAgreements) -> None:
    resp = api(world.liaison).get(reverse("agreement-pdf", args=[c.wjl_in_force.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = pdf_text(resp.content).replace("\n", "")
    assert (
        "王家垅社区党委" in text
        and "省民政厅机关党委" in text
        and "单位会议室、食堂每周向社区居民开放一次" in text
    )
    resp = api(world.liaison).get(
        reverse("agreement-pdf", args=[c.wjl_in_force.pk]), HTTP_ACCEPT="application/pdf"
    )
    assert resp.status_code == 200
    assert api(world.jsh_admin).get(reverse("agreement-pdf", args=[c.wjl_in_force.pk])).status_code == 404


def test_committees_and_the_seat_steps(api: Any, world: World) -> None:
    wjl = api(world.wjl_admin)
    resp = wjl.post(
        reverse("committee-list"),
        {"org": world.wjl_committee.pk, "established_on": "2018-03-01"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["kind"] == "community" and resp.json()["seats_in_force"] == 0
    committee = Committee.objects.get()
    resp = wjl.post(
        reverse("part-time-seat-list"),
        {"committee": committee.pk, "person_name": "孙兼职", "unit": world.minzheng.pk, "duty": "兼职委员"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    step = lambda name: reverse(f"part-time-seat-{name}", args=[pk])  # noqa: E731
    assert wjl.post(step("approve"), {}, format="json").status_code == 400  # not screened yet
    assert wjl.post(step("screen"), {}, format="json").json()["step"] == "screened"
    resp = wjl.post(step("approve"), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 403 and "level above" in resp.json()["detail"]
    assert api(world.dongfeng_admin).post(step("approve"), {}, format="json").json()["step"] == "approved"
    assert api(world.liaison).get(step("certificate")).status_code == 403  # not appointed yet
    appoint = {"since": TODAY.isoformat(), "until": (TODAY + dt.timedelta(days=900)).isoformat()}
    resp = wjl.post(step("appoint"), appoint, format="json")
    assert resp.status_code == 200 and resp.json()["certificate_no"]
    assert api(world.liaison).post(step("announce"), {}, format="json").json()["step"] == "announced"
    pdf = api(world.liaison).get(step("certificate"))
    assert pdf.status_code == 200 and "孙兼职" in pdf_text(pdf.content)
    listed = api(world.city_admin).get(reverse("committee-list")).json()["results"]
    assert listed[0]["seats_in_force"] == 1
    seats = api(world.liaison).get(
        reverse("part-time-seat-list"), {"step": "announced", "committee": committee.pk}
    )
    assert _ids(seats) == {pk}
    resp = wjl.post(step("end"), {"until": TODAY.isoformat(), "reason": "调离"}, format="json")
    assert resp.json()["step"] == "ended"
    assert PartTimeSeat.objects.get(pk=pk).step == SeatStep.ENDED
    assert (
        api(world.jsh_admin).post(step("end"), {"until": TODAY.isoformat()}, format="json").status_code == 404
    )


def test_schema_documents_the_routes(api: Any, world: World) -> None:
    resp = api(world.city_admin).get(reverse("schema"))
    assert resp.status_code == 200
    body = resp.content.decode()
    for route in (
        "/api/v1/agreements/{id}/pdf/",
        "/api/v1/agreements/{id}/sign/",
        "/api/v1/part-time-seats/{id}/approve/",
        "/api/v1/part-time-seats/{id}/certificate/",
        "/api/v1/committees/",
    ):
        assert route in body, route
