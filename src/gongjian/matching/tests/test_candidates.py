import datetime as dt

import numpy as np

from gongjian.matching.candidates import Index, candidate_pairs, haversine_km
from gongjian.matching.engine_data import Context

from .helpers import COMMUNITY, STREET, demand, resource


def pairs(demands, resources, context=None):
    d, r = candidate_pairs(Index.build(demands, resources), context or Context())
    return {(demands[i].id, resources[j].id) for i, j in zip(d.tolist(), r.tolist(), strict=True)}


def test_own_street_is_reached_and_another_street_is_not():
    demands = [demand("same", area=STREET + "002"), demand("other", area="430104002001")]
    assert pairs(demands, [resource(area=COMMUNITY)]) == {("same", "r1")}


def test_service_areas_reach_their_subtree():
    demands = [demand("in", area="430105004001-003"), demand("out", area="430111004001")]
    assert pairs(demands, [resource(service_areas=("430105",))]) == {("in", "r1")}


def test_radius_uses_great_circle_distance():
    lat, lng = 28.2, 112.9
    north = [(28.2 + k / 1000, lng) for k in (17, 18)]  # about 1.89 km and 2.00 km
    km = haversine_km(
        np.array([lat, lat]),
        np.array([lng, lng]),
        np.array([p[0] for p in north]),
        np.array([p[1] for p in north]),
    )
    demands = [demand(f"d{k}", area="430199001001", lat=a, lng=b) for k, (a, b) in enumerate(north)]
    radius = float((km[0] + km[1]) / 2)
    found = pairs(demands, [resource(area="430104009001", lat=lat, lng=lng, radius_km=radius)])
    assert found == {("d0", "r1")}


def test_availability_must_overlap_the_deadline_and_not_be_over():
    deadline = dt.date(2026, 6, 30)
    demands = [demand(deadline=deadline)]
    assert pairs(demands, [resource(available_from=dt.date(2026, 6, 30))])
    assert not pairs(demands, [resource(available_from=dt.date(2026, 7, 1))])
    over = resource(available_to=dt.date(2026, 5, 1))
    assert pairs(demands, [over])  # no day given: nothing is over
    assert not pairs(demands, [over], Context(as_of=dt.date(2026, 5, 2)))
    assert pairs([demand()], [resource(available_from=dt.date(2030, 1, 1))])  # no deadline


def test_no_capacity_left_or_nothing_needed_is_no_candidate():
    assert not pairs([demand()], [resource(capacity=5, claimed=5)])
    assert not pairs([demand(quantity=3, claimed=3)], [resource()])


def test_unknown_places():
    anywhere = resource(area="")
    nowhere = demand("loose", area="")
    assert pairs([demand("far", area="430111004001"), nowhere], [anywhere]) == {
        ("far", "r1"),
        ("loose", "r1"),
    }
    assert pairs([nowhere], [resource(area="430111004001")]) == {("loose", "r1")}


def test_work_grows_with_pairs_not_with_all_pairs():
    demands = [demand(f"d{i}", area=f"4301{i % 10:02d}{i % 18:03d}001") for i in range(3000)]
    resources = [resource(f"r{j}", area=f"4301{j % 10:02d}{j % 18:03d}001") for j in range(1000)]
    found = pairs(demands, resources)
    brute = {(d.id, r.id) for d in demands for r in resources if d.area[:9] == r.area[:9]}
    assert found == brute
    assert len(found) < len(demands) * len(resources) / 50
