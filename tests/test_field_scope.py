"""Issue 19, defect 5: the staff's internal notes never reach residents or members.

Every field that is the staff's own (``STAFF_ONLY``) is filled with a marker on records the resident
and the member may see; then every API operation of the schema that they can read (GET, with the
ids their own lists give) and their pages of those records are read as each of them, and the
marker must appear in none. A new staff-only field is added to ``STAFF_ONLY`` with a record that
carries it; a new route is walked without being listed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from gongjian.appeals import services as appeal_services
from gongjian.appeals.models import Appeal, AppealEvent
from gongjian.appeals.tests.fixtures import build_appeals
from gongjian.testing import World

MARKER = "内部备注请物业电工今天检修"

#: (app_label.model, field) the staff write for each other, never for the resident or member.
STAFF_ONLY = {
    ("appeals.appeal", "outcome_note"),
    ("appeals.appealevent", "note"),  # except the answer and the resident's own rating
}


def _internal(world: World) -> Appeal:
    """The resident's own appeal taken through every step, each staff note carrying the marker."""
    appeals = build_appeals(world)
    root = world.superuser
    appeal = appeals["wjl_online"]
    s = appeal_services
    appeal = s.appeal_assign(actor=root, appeal=appeal, org=world.wjl_committee, note=MARKER)
    appeal = s.appeal_answer(actor=root, appeal=appeal, answer="已安排检修")
    appeal = s.appeal_solve(actor=root, appeal=appeal, solved=True, note=MARKER)
    appeal = s.appeal_close(actor=root, appeal=appeal, note=MARKER)
    # every staff-only field of the model carries the marker
    assert MARKER in Appeal.objects.get(pk=appeal.pk).outcome_note
    assert AppealEvent.objects.filter(appeal=appeal, note=MARKER).count() >= 3
    return appeal


def _get_paths(client: APIClient) -> list[str]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths: dict[str, Any] = yaml.safe_load(schema.content)["paths"]
    return sorted(p for p, ops in paths.items() if "get" in ops)


def _walk_api(user: Any) -> tuple[int, str]:
    """Every GET the user can make over the API, with ids from the lists they can read."""
    client = APIClient()
    client.force_authenticate(user)
    seen: list[str] = []
    ids: dict[str, list[int]] = {}
    templated: list[str] = []
    for path in _get_paths(client):
        if "{" in path:
            templated.append(path)
            continue
        response = client.get(path)
        seen.append(response.content.decode(errors="replace"))
        if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
            body = response.json()
            rows = body.get("results", body) if isinstance(body, dict) else body
            if isinstance(rows, list):
                ids[path] = [r["id"] for r in rows if isinstance(r, dict) and isinstance(r.get("id"), int)]
    reads = len(seen)
    for path in templated:
        base = path.split("{", 1)[0]
        if re.search(r"\{(?!id\}|pk\})", path):
            continue  # codes and other keys: no list gives them
        for pk in ids.get(base, [])[:5]:
            response = client.get(re.sub(r"\{(id|pk)\}", str(pk), path))
            seen.append(response.content.decode(errors="replace"))
            reads += 1
    return reads, "\n".join(seen)


@pytest.mark.parametrize("who", ["resident", "member"])
def test_no_staff_only_field_reaches_residents_or_members(world: World, who: str) -> None:
    appeal = _internal(world)
    user = getattr(world, who)
    reads, text = _walk_api(user)
    assert reads > 20
    assert MARKER not in text
    if who == "resident":
        assert "已安排检修" in text  # the answer given to the resident does reach them
    page = Client()
    page.force_login(user)
    for url in ["/", "/appeals/", f"/appeals/{appeal.pk}/"]:
        response = page.get(url)
        assert response.status_code in (200, 404), url
        assert MARKER not in response.content.decode(), url


def test_staff_still_see_their_internal_notes(world: World) -> None:
    appeal = _internal(world)
    client = APIClient()
    client.force_authenticate(world.wjl_admin)
    assert MARKER in client.get(f"/api/v1/appeals/{appeal.pk}/events/").content.decode()
    assert client.get(f"/api/v1/appeals/{appeal.pk}/").json()["outcome_note"] == MARKER
    page = Client()
    page.force_login(world.wjl_admin)
    assert MARKER in page.get(f"/appeals/{appeal.pk}/").content.decode()
