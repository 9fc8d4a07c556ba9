"""Relevant or nothing (issue #23): only pairs about the same need are recommended, relationships
only rank them, and reasons quote the concepts both name, never a stray shared word."""

from __future__ import annotations

from gongjian.matching import text as tx
from gongjian.matching.engine import explain, match
from gongjian.matching.engine_data import Context

from .helpers import COMMUNITY, STREET, demand, resource

POLICY = resource(
    "policy", "养老服务政策宣讲", description="讲解高龄津贴、养老服务补贴、居家养老政策", provider="mz"
)
CLOSE_TIES = Context(
    agreements=frozenset({("mz", STREET)}), past_projects={("mz", COMMUNITY): 3}, load={"mz": 0}
)


def test_relationships_never_make_an_unrelated_pair_appear():
    wishes = [
        demand("hearing", "老人耳背，想要助听器"),
        demand("wheelchair", "需要轮椅两台"),
        demand("books", "孩子们没有课外读物"),
        demand("meals", "助餐点缺志愿者送饭"),
    ]
    result = match(wishes, [POLICY], CLOSE_TIES, allocate=True)
    assert all(result.recommendations[w.id] == [] for w in wishes)  # "no good match yet"
    assert result.allocation == [] and result.unallocated == [w.id for w in wishes]
    assert result.for_resources["policy"] == []
    # the same resource is recommended where it is about the need
    allowance = demand("allowance", "八十岁以上老人的高龄津贴怎么领")
    (rec,) = match([allowance], [POLICY], CLOSE_TIES).recommendations["allowance"]
    assert rec.reasons[0] == "都涉及：养老政策"
    assert "已签订共建协议" in rec.reasons and "以往合作项目3个" in rec.reasons


def test_relationships_rank_relevant_pairs():
    d = demand("heart", "看心臟病要跑大醫院")
    a = resource("a", "心血管专科义诊", provider="a")
    b = resource("b", "心内科专家坐诊", provider="b")
    plain = match([d], [a, b], Context()).recommendations["heart"]
    tied = match([d], [a, b], Context(agreements=frozenset({("b", STREET)}))).recommendations["heart"]
    assert {x.resource for x in plain} == {x.resource for x in tied} == {"a", "b"}
    assert tied[0].resource == "b" and next(x.score for x in tied if x.resource == "b") > next(
        x.score for x in plain if x.resource == "b"
    )


def test_colloquial_demands_get_the_resource_a_person_would_pick():
    resources = [
        resource("family", "家庭医生签约服务", description="签约家庭医生，上门巡诊；家庭清洁消毒指导"),
        resource("cardio", "心血管专科义诊", description="心内科专家：高血压、冠心病咨询，心电图检查"),
        resource(
            "phone", "老年人智能手机培训", description="教老人用微信、扫码、手机支付", lat=28.3, lng=113.0
        ),
        resource("truancy", "青少年厌学心理辅导", description="帮助厌学、沉迷手机的孩子和家长"),
        resource("choir", "社区合唱团排练", description="合唱团招新，每周排练，有钢琴伴奏"),
        resource("room", "街道会议室出借", description="会议室可借用，能坐50人"),
    ]
    demands = [
        demand("heart", "看心臟病要跑大醫院，樓道清潔也沒人管"),
        demand("school", "孩子不想上學，天天在家玩手机"),
        demand("meeting", "開會沒地方"),
    ]
    recs = match(demands, resources, Context()).recommendations
    assert recs["heart"][0].resource == "cardio"
    assert recs["heart"][0].reasons[0] == "都涉及：心血管专科、义诊"
    assert recs["school"][0].resource == "truancy"
    assert "phone" not in [x.resource for x in recs["school"]]
    assert [x.resource for x in recs["meeting"]] == ["room"]


def test_reasons_quote_only_concepts_of_the_lexicon():
    resources = [
        resource("clean", "楼道清洁志愿服务", description="志愿者清扫楼道"),
        resource("doctor", "家庭医生签约", description="家庭清洁消毒指导，慢病随访"),
    ]
    d = demand("d", "老人慢性病多，想签家庭医生，顺便问问清洁")
    concepts = set(tx.lexicon())
    for rec in match([d], resources, Context()).recommendations["d"]:
        quoted = [r for r in rec.reasons if r.startswith("都涉及：")]
        assert quoted, rec.reasons
        assert set(quoted[0].removeprefix("都涉及：").split("、")) <= concepts


def test_a_generic_demand_is_met_by_what_it_asks_for():
    d = demand("d", "想请医生来义诊")
    clinic = resource("clinic", "社区健康义诊", description="医生进社区量血压、测血糖")
    barber = resource("barber", "义务理发进社区")
    recs = match([d], [clinic, barber], Context()).recommendations["d"]
    assert [x.resource for x in recs] == ["clinic"]
    assert explain(d, barber) is None
