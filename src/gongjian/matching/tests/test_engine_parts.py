"""Scoring in parts (issue 23, scale) changes nothing a caller sees: the same top-K both ways, the
same allocation value, whatever the size of a part."""

from __future__ import annotations

import random

import pytest

from gongjian.matching import engine
from gongjian.matching.engine_data import Context, Demand, Resource

TITLES = [
    ("孩子牙疼", "儿童龋齿检查"),
    ("老人想学智能手机", "老年人智能手机培训"),
    ("想找律师咨询", "免费法律咨询"),
    ("老人上门理发", "理发志愿服务队"),
    ("开会没地方", "会议室借用"),
]


def city(seed: int = 7) -> tuple[list[Demand], list[Resource]]:
    rng = random.Random(seed)
    streets = [f"4301050{s:02d}" for s in range(1, 5)]
    demands = [
        Demand(
            id=f"d{i}",
            title=rng.choice(TITLES)[0],
            quantity=rng.choice((1, 2, 5)),
            area=rng.choice(streets) + f"{rng.randint(1, 3):03d}",
        )
        for i in range(60)
    ]
    resources = [
        Resource(
            id=f"r{j}",
            title=rng.choice(TITLES)[1],
            capacity=rng.choice((1, 3, 10)),
            provider=f"u{j % 7}",
            area=rng.choice(streets) + "001",
            service_areas=("430105",) if j % 5 == 0 else (),
        )
        for j in range(40)
    ]
    return demands, resources


def test_parts_give_the_same_recommendations_and_allocation(monkeypatch: pytest.MonkeyPatch) -> None:
    demands, resources = city()
    whole = engine.match(demands, resources, Context(), top_k=3)
    monkeypatch.setattr(engine, "PART_PAIRS", 97)  # many parts, cut at resource boundaries
    parted = engine.match(demands, resources, Context(), top_k=3)
    assert whole.stats["pairs.candidates"] > 8 * 97  # really in parts (at most MAX_PARTS)
    assert parted.stats["pairs.kept"] < parted.stats["pairs.candidates"]
    assert parted.recommendations == whole.recommendations
    assert parted.for_resources == whole.for_resources
    assert parted.stats["allocation.value"] == whole.stats["allocation.value"]
    assert sum(a.quantity for a in parted.allocation) == sum(a.quantity for a in whole.allocation)
