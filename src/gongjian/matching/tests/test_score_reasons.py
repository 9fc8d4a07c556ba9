"""Scores move the right way, and reasons say why in Chinese."""

from __future__ import annotations

import pytest

from gongjian.matching.engine import explain, match
from gongjian.matching.engine_data import Context

from .helpers import COMMUNITY, STREET, demand, resource

FILLER = [resource(f"f{k}", t) for k, t in enumerate(["法律咨询", "会议室借用", "消防培训", "理发"])]


def score(d, r, context=None, others=FILLER):
    rec = explain(d, r, resources=others, context=context)
    assert rec is not None
    return rec


def test_more_similar_text_scores_higher_and_an_unrelated_pair_is_not_scored_at_all():
    d = demand(title="孩子牙疼想看医生")
    close = score(d, resource(title="儿童口腔检查 牙科医生"))
    other_people = score(d, resource(title="老年人口腔义诊"))  # the same need, for the old
    assert close.score > other_people.score and close.parts.text >= other_people.parts.text
    # only near and in the same category, but about blood pressure: no recommendation at all
    assert explain(d, resource(title="老年人血压测量"), resources=FILLER) is None


def test_same_category_beats_unknown_beats_different():
    d = demand(title="家电维修", category="志愿服务")
    same = score(d, resource(title="家电维修", category="volunteers"))
    unknown = score(d, resource(title="家电维修", category=""))
    different = score(d, resource(title="家电维修", category="资金"))
    assert same.score > unknown.score > different.score


def test_nearer_scores_higher():
    d = demand(lat=28.20, lng=112.90)
    near = score(d, resource(lat=28.201, lng=112.90))
    far = score(d, resource(lat=28.25, lng=112.90, area=STREET + "009"))
    assert near.score > far.score


@pytest.mark.parametrize(
    ("context", "better"),
    [
        (Context(agreements=frozenset({("u1", STREET)})), True),
        (Context(past_projects={("u1", COMMUNITY): 2}), True),
        (Context(load={"u1": 4}), False),
    ],
)
def test_agreement_and_past_projects_raise_load_lowers(context, better):
    d, r = demand(), resource(provider="u1")
    plain, with_context = score(d, r), score(d, r, context)
    assert (with_context.score > plain.score) is better


def test_reasons_in_chinese():
    d = demand(title="孩子牙疼", category="医疗", lat=28.2, lng=112.9, area=STREET + "001")
    r = resource(
        title="兒童齲齒檢查", category="醫療健康", provider="u1", lat=28.2108, lng=112.9, area=STREET + "002"
    )
    context = Context(
        agreements=frozenset({("u1", STREET)}), past_projects={("u1", STREET + "001"): 2}, load={"u1": 1}
    )
    rec = score(d, r, context)
    assert rec.reasons == (
        "都涉及：口腔、儿童",
        "同一街道，相距1.2公里",
        "已签订共建协议",
        "类别一致：医疗健康",
        "以往合作项目2个",
        "提供方在办项目1个",
    )


def test_reasons_without_coordinates_or_relation():
    rec = score(demand(area="430104002001"), resource(area="", title="儿童口腔"))
    assert rec.reasons[:2] == ("都涉及：口腔、儿童", "在服务范围内")


def test_top_k_both_ways_against_brute_force() -> None:
    titles_d = ["孩子牙疼", "老人手机不会用", "楼道太脏", "法律咨询", "借会议室", "娃近视"]
    titles_r = [
        "兒童齲齒檢查",
        "智能手机培训",
        "大扫除志愿队",
        "律师坐班",
        "会议室借用",
        "儿童视力筛查",
        "理发",
        "送餐",
    ]
    demands = [demand(f"d{i}", t, area=f"{STREET}00{i % 3}") for i, t in enumerate(titles_d)]
    resources = [resource(f"r{j}", t, area=f"{STREET}00{j % 3}") for j, t in enumerate(titles_r)]
    full = match(demands, resources, top_k=100, allocate=False)
    top = match(demands, resources, top_k=3, allocate=False)
    for d in demands:
        ranked = full.recommendations[d.id]
        assert [x.score for x in ranked] == sorted((x.score for x in ranked), reverse=True)
        assert [x.resource for x in top.recommendations[d.id]] == [x.resource for x in ranked[:3]]
    by_resource: dict[str, list] = {r.id: [] for r in resources}
    for recs in full.recommendations.values():
        for x in recs:
            by_resource[x.resource].append(x)
    for r in resources:
        expected = sorted(by_resource[r.id], key=lambda x: (-x.score, x.demand))[:3]
        assert [x.score for x in top.for_resources[r.id]] == [x.score for x in expected]
    assert top.recommendations["d0"][0].resource == "r0"
    assert top.for_resources["r1"][0].demand == "d1"
