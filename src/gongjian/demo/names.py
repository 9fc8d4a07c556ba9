"""Generated names, codes and phone numbers for the demo: plausible, deterministic, never a person.

Everything the article does not name is made up here from small syllable pools, so that a reload
with the same seed gives the same map. Pools hold place-like words only (no surnames, no given
names): demo records never describe a real or a made-up private person.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from gongjian.core.synthetic import credit_code, fake_phone

__all__ = ["KIND_PREFIX", "credit_code", "fake_phone"]

# --- unified social credit codes (GB 32100-2015) -------------------------------------------

#: Registration authority and organisation type (the code's first two characters) by unit kind:
#: 11 机关, 12 事业单位, 51 社会团体, 91 企业.
KIND_PREFIX = {
    "organ": "11",
    "institution": "12",
    "university": "12",
    "hospital": "12",
    "social": "51",
    "soe": "91",
    "private": "91",
}


# --- name pools -----------------------------------------------------------------------------

#: Two-character community and village names: one of these + one of those.
_PLACE_FIRST = "金银新东西南北青桂松枫荷湘丽嘉和安康泰福"
_PLACE_SECOND = "桥湖园塘岭坪山湾林洲苑港井源田"

#: Three-character compound names: two of these + a compound word.
_COMPOUND_FIRST = "锦翠华景怡雅馨悦盛瑞晨紫蓝碧"
_COMPOUND_SECOND = "苑园庭居城府轩湾"

#: Old work-unit housing (单位大院) and old lanes, for old residential compounds.
OLD_WORK_UNITS = (
    "粮食局",
    "农机厂",
    "供销社",
    "电机厂",
    "纺织厂",
    "化肥厂",
    "印刷厂",
    "酒厂",
    "食品站",
    "水泥厂",
    "卫生局",
    "教育局",
    "交通局",
    "邮电局",
    "物资局",
    "建筑公司",
    "百货公司",
    "五金公司",
    "汽运公司",
    "电力局",
    "林业局",
    "水利局",
    "棉麻公司",
    "药材公司",
)
OLD_LANES = (
    "西正街",
    "沿溪路",
    "白沙路",
    "劳动路",
    "北正路",
    "金沙路",
    "圭斋路",
    "人民路",
    "新华街",
    "解放路",
    "书院路",
    "学宫街",
    "河背街",
    "东正街",
    "三角坪",
)

#: Fields for generated provincial and research units.
UNIT_FIELDS = (
    "地质",
    "水文",
    "交通",
    "农业",
    "文化",
    "林业",
    "气象",
    "信息",
    "统计",
    "人才",
    "科技",
    "计量",
    "测绘",
    "审计",
    "社保",
    "住房",
    "粮食",
    "水利",
    "标准化",
    "环境",
    "能源",
    "地震",
    "档案",
    "体育",
)
UNIT_BODIES = ("事务中心", "服务中心", "研究院", "监测中心", "研究所", "信息中心")
CHINESE_NUMERALS = "一二三四五六七八九十"


def place_words(rng: random.Random, exclude: Iterable[str] = ()) -> list[str]:
    """All two-character place words, shuffled, without those in ``exclude``."""
    banned = set(exclude)
    words = [a + b for a in _PLACE_FIRST for b in _PLACE_SECOND if a + b not in banned]
    rng.shuffle(words)
    return words


def compound_words(rng: random.Random) -> list[str]:
    """Three-character compound names (锦华苑, 翠景园 …), shuffled."""
    words = [a + b + c for a in _COMPOUND_FIRST for b in _COMPOUND_FIRST if a != b for c in _COMPOUND_SECOND]
    rng.shuffle(words)
    return words


def old_compound_names(rng: random.Random, count: int, exclude: Iterable[str] = ()) -> list[str]:
    """``count`` distinct names of old residential compounds: work-unit housing and lane numbers."""
    banned = set(exclude)
    names: list[str] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        if name not in seen and name not in banned and len(names) < count:
            seen.add(name)
            names.append(name)

    for unit in OLD_WORK_UNITS:
        add(f"{unit}宿舍")
    for unit in OLD_WORK_UNITS:
        add(f"{unit}二宿舍")
    while len(names) < count:
        add(f"{rng.choice(OLD_LANES)}{rng.randint(1, 320)}号院")
    rng.shuffle(names)
    return names


def numeral(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 (enough for village groups)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 11]
    return str(n)


# --- members (党员台账) -----------------------------------------------------------------------

#: Names the article gives to private persons (and officials the demo does not use): a generated
#: member never carries one of them, even by chance.
AVOID_NAMES = frozenset(
    {
        "郑松泉",
        "吴先贵",
        "雷晓彬",
        "杨慧",
        "杨灿",
        "吴小燕",
        "杨炯",
        "龚爱林",
        "戴伟平",
        "曾超群",
        "张宏益",
        "张颐佳",
        "周云武",
        "周志凯",
    }
)

#: Ethnic groups of Hunan, the first by far the most common.
ETHNICITIES = ("汉族",) * 30 + ("土家族", "苗族", "侗族", "瑶族", "回族")

#: What in-service members offer the community where they live, and what they like to do.
SKILLS = (
    "法律咨询",
    "医疗保健",
    "心理疏导",
    "文艺表演",
    "摄影摄像",
    "电脑维修",
    "家电维修",
    "财务会计",
    "教育辅导",
    "书法绘画",
    "政策宣讲",
    "安全生产",
    "交通安全",
    "环境保护",
)
PREFERENCES = (
    "环境卫生整治",
    "文明劝导",
    "关爱空巢老人",
    "四点半课堂",
    "平安巡逻",
    "政策宣讲",
    "邻里纠纷调解",
    "志愿服务",
)
#: What a reported member did for the community (fed back to the employer each quarter).
CONTACTS = (
    ("contact", "到社区党委报到，登记服务意向"),
    ("contact", "参加社区党组织主题党日"),
    ("contact", "走访联系户，收集居民诉求"),
    ("activity", "参加小区环境卫生整治"),
    ("activity", "四点半课堂辅导小学生作业"),
    ("activity", "为居民提供义诊和健康咨询"),
    ("activity", "文明创建志愿服务"),
    ("activity", "平安巡逻"),
)
STATION_PURPOSES = (
    "报到登记",
    "参加主题党日活动",
    "集中学习",
    "缴纳党费",
    "参加志愿服务",
    "领取学习资料",
)
