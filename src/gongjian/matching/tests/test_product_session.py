"""The claiming session of a joint meeting: propose, accept, drop, swap, commit (all or nothing),
the task path, the pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gongjian.core.models import AuditEntry, Job
from gongjian.lists.models import Claim, ClaimStatus, Demand, Project
from gongjian.lists.services import claims as lists_services
from gongjian.matching import services
from gongjian.matching.models import MatchingPair, MatchingSession, PairState, SessionStatus
from gongjian.testing import World

from .product_fixtures import Product, build_product

pytestmark = pytest.mark.django_db


def _pairs(session: MatchingSession) -> dict[tuple[int, int], dict[str, Any]]:
    return {(p["demand"], p["resource"]): p for p in session.proposal["pairs"]}


def _start(world: World) -> tuple[Product, MatchingSession]:
    p = build_product(world)
    session = services.session_start(actor=world.dongfeng_admin, meeting=p.meetings.street_held)
    return p, session


def test_session_story_propose_accept_drop_commit(world: World) -> None:
    p, session = _start(world)
    pairs = _pairs(session)
    assert (p.teeth.pk, p.dentist.pk) in pairs
    assert (p.haircut.pk, p.barbers.pk) in pairs
    assert (p.lawyer.pk, p.counsel.pk) in pairs
    assert pairs[(p.teeth.pk, p.dentist.pk)]["quantity"] == 20
    assert pairs[(p.teeth.pk, p.dentist.pk)]["reasons"]
    assert p.jsh_teeth.pk not in {d for d, _r in pairs}  # outside the meeting's area
    assert p.lists.wish.pk not in {d for d, _r in pairs} | set(session.proposal["unallocated"])

    admin = world.dongfeng_admin
    services.pair_accept(actor=admin, session=session, demand_id=p.teeth.pk, resource_id=p.dentist.pk)
    services.pair_accept(
        actor=admin, session=session, demand_id=p.haircut.pk, resource_id=p.barbers.pk, quantity=4
    )
    services.pair_drop(actor=admin, session=session, demand_id=p.lawyer.pk, resource_id=p.counsel.pk)
    session.refresh_from_db()
    pairs = _pairs(session)
    assert pairs[(p.teeth.pk, p.dentist.pk)]["accepted"]
    assert (
        pairs[(p.haircut.pk, p.barbers.pk)]["accepted"]
        and pairs[(p.haircut.pk, p.barbers.pk)]["quantity"] >= 4
    )
    assert (p.lawyer.pk, p.counsel.pk) not in pairs  # dropped: never proposed again
    assert p.lawyer.pk in session.proposal["unallocated"]
    with pytest.raises(ValidationError):  # a pair not proposed needs a swap
        services.pair_accept(actor=admin, session=session, demand_id=p.lawyer.pk, resource_id=p.barbers.pk)

    claims = services.session_commit(actor=admin, session=session)
    assert len(claims) == 2
    for claim in claims:
        assert claim.status == ClaimStatus.ACCEPTED and claim.meeting == p.meetings.street_held
        assert Project.objects.get(claim=claim).meeting == p.meetings.street_held
    teeth = Demand.objects.get(pk=p.teeth.pk)
    haircut = Demand.objects.get(pk=p.haircut.pk)
    assert teeth.claimed == 20 and teeth.status == "in_progress"
    assert haircut.claimed == 4
    assert Claim.objects.get(demand=teeth, meeting=p.meetings.street_held).claimant_unit == p.hospital
    session.refresh_from_db()
    assert session.status == SessionStatus.COMMITTED
    assert (
        MatchingPair.objects.filter(session=session, state=PairState.COMMITTED, claim__isnull=False).count()
        == 2
    )
    assert AuditEntry.objects.filter(action="matching.session_commit").count() == 1

    # quantities respected: the dentist's 30 less the 20 committed leave 10 for the next session
    nxt = services.session_start(actor=admin, meeting=p.meetings.street_held)
    assert nxt.pk != session.pk
    assert services.committed_use([p.dentist.pk]) == {p.dentist.pk: 20}
    for pair in nxt.proposal["pairs"]:
        assert pair["demand"] != p.teeth.pk
    barbers_left = sum(q["quantity"] for q in nxt.proposal["pairs"] if q["resource"] == p.barbers.pk)
    assert barbers_left <= 10 - 4


def test_commit_is_all_or_nothing(world: World) -> None:
    p, session = _start(world)
    admin = world.dongfeng_admin
    services.pair_accept(actor=admin, session=session, demand_id=p.teeth.pk, resource_id=p.dentist.pk)
    services.pair_accept(actor=admin, session=session, demand_id=p.haircut.pk, resource_id=p.barbers.pk)
    # meanwhile the haircut demand is met elsewhere
    other = lists_services.demand_claim(actor=world.liaison, demand=p.haircut, quantity=5)
    lists_services.claim_accept(actor=world.wjl_admin, claim=other)
    claims_before, audit_before = Claim.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        services.session_commit(actor=admin, session=session)
    assert "老人上门理发" in str(err.value) and "理发志愿服务队" in str(err.value)
    assert Claim.objects.count() == claims_before and AuditEntry.objects.count() == audit_before
    assert Demand.objects.get(pk=p.teeth.pk).claimed == 0
    assert not MatchingPair.objects.filter(state=PairState.COMMITTED).exists()
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN


def test_swap_release_and_who_may_run_it(world: World) -> None:
    p, session = _start(world)
    admin = world.dongfeng_admin
    pair = services.pair_accept(
        actor=admin, session=session, demand_id=p.lawyer.pk, resource_id=p.counsel.pk, quantity=1, swap=True
    )
    assert pair.swapped and pair.reasons
    services.pair_release(actor=admin, session=session, pair_id=pair.pk)
    assert MatchingPair.objects.get(pk=pair.pk).state == PairState.RELEASED
    with pytest.raises(ValidationError):  # bad input: a clear message, nothing changed
        services.pair_accept(actor=admin, session=session, demand_id="x", resource_id=p.counsel.pk, swap=True)
    with pytest.raises(ValidationError):
        services.pair_accept(
            actor=admin,
            session=session,
            demand_id=p.lawyer.pk,
            resource_id=p.counsel.pk,
            quantity=99,
            swap=True,
        )
    with pytest.raises(ValidationError):  # outside the meeting's area
        services.pair_accept(
            actor=admin, session=session, demand_id=p.jsh_teeth.pk, resource_id=p.dentist.pk, swap=True
        )
    for outsider in (world.liaison, world.wjl_admin, world.jsh_admin):
        with pytest.raises(PermissionDenied):
            services.pair_drop(
                actor=outsider, session=session, demand_id=p.teeth.pk, resource_id=p.dentist.pk
            )


def test_commit_waits_for_the_meeting_to_be_held(world: World) -> None:
    p = build_product(world)
    admin = world.dongfeng_admin
    session = services.session_start(actor=admin, meeting=p.meetings.street_next)
    services.pair_accept(actor=admin, session=session, demand_id=p.teeth.pk, resource_id=p.dentist.pk)
    assert not services.session_commit_allowed(actor=admin, session=session)
    with pytest.raises(ValidationError):
        services.session_commit(actor=admin, session=session)


def test_big_runs_go_through_a_task_with_progress(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    p = build_product(world)
    settings.GONGJIAN_MATCHING_TASK_DEMANDS = 1
    with django_capture_on_commit_callbacks(execute=True):
        session = services.session_start(actor=world.dongfeng_admin, meeting=p.meetings.street_held)
    session.refresh_from_db()
    assert session.job_id is not None
    job = Job.objects.get(pk=session.job_id)
    assert job.kind == "matching.propose" and job.status == Job.Status.DONE and job.percent == 100
    assert job.result["pairs"] == len(session.proposal["pairs"]) > 0
    assert services.session_decide_allowed(actor=world.dongfeng_admin, session=session)


def test_session_pages(world: World) -> None:
    p = build_product(world)
    client = Client()
    client.force_login(world.dongfeng_admin)
    url = reverse("matching:session", args=[p.meetings.street_held.pk])
    assert "session-propose" in client.get(url).content.decode()
    client.post(reverse("matching:session_propose", args=[p.meetings.street_held.pk]))
    page = client.get(url).content.decode()
    assert "儿童口腔检查" in page and "开福区口腔医院" in page and "data-session-accept" in page
    decide = reverse("matching:session_decide", args=[p.meetings.street_held.pk])
    client.post(decide, {"action": "accept", "demand": p.teeth.pk, "resource": p.dentist.pk})
    client.post(decide, {"action": "accept", "demand": "nonsense", "resource": p.dentist.pk})
    assert MatchingPair.objects.filter(state=PairState.ACCEPTED).count() == 1
    client.post(reverse("matching:session_commit", args=[p.meetings.street_held.pk]))
    assert Claim.objects.filter(meeting=p.meetings.street_held, demand=p.teeth).count() == 1
    assert "session-commit" not in client.get(url).content.decode()
    client.force_login(world.liaison)  # invited: sees the meeting, may not run its session
    assert client.get(url).status_code == 403
    client.force_login(world.wjl_admin)  # the street's meeting is outside the community's subtree
    assert client.get(url).status_code == 404


def test_session_api(world: World) -> None:
    p = build_product(world)
    client = Client()
    client.force_login(world.dongfeng_admin)
    base = f"/api/v1/matching/meetings/{p.meetings.street_held.pk}/session/"
    assert client.get(base).json()["id"] is None
    state = client.post(base).json()
    assert any(r["demand"] == p.teeth.pk and r["resource"] == p.dentist.pk for r in state["proposed"])
    pair = {"demand": p.teeth.pk, "resource": p.dentist.pk}
    state = client.post(base + "accept/", pair, content_type="application/json").json()
    assert [r["demand"] for r in state["accepted"]] == [p.teeth.pk] and state["can_commit"]
    state = client.post(
        base + "drop/", {"demand": p.lawyer.pk, "resource": p.counsel.pk}, content_type="application/json"
    ).json()
    assert state["dropped"][0]["demand"] == p.lawyer.pk
    state = client.post(
        base + "release/", {"pair": state["dropped"][0]["pair"]}, content_type="application/json"
    )
    assert state.status_code == 200
    bad = client.post(
        base + "swap/", {"demand": p.jsh_teeth.pk, "resource": p.dentist.pk}, content_type="application/json"
    )
    assert bad.status_code == 400
    state = client.post(base + "commit/").json()
    assert state["status"] == "committed" and state["committed"][0]["claim"]
    client.force_login(world.liaison)
    assert client.post(base).status_code == 403


def test_meeting_page_link_tag(world: World) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    p = build_product(world)
    tpl = Template("{% load matching_tags %}{% session_link meeting %}")
    request = RequestFactory().get("/")
    for user, shown in ((world.dongfeng_admin, True), (world.liaison, False)):
        request.user = user
        html = tpl.render(Context({"request": request, "meeting": p.meetings.street_held}))
        assert ("meeting-matching-session" in html) is shown
