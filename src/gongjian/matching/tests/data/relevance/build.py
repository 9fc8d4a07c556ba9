"""Builds the relevance set's CSV files from the hand-written ``spec_*.txt`` (run once; the CSVs are kept).

    .venv/bin/python src/gongjian/matching/tests/data/relevance/build.py

Each need in the spec has three resources: the one that meets it and reaches the whole city
(``service_areas`` 4301), the same need offered only near one place (``radius_km`` 2, so it is out
of reach of that need's demands: the "right need, out of range" distractor), and a resource whose
words look alike but mean something else (reaches the whole city). Demands are placed away from
the out-of-range resource; about a third name their place the way people write it (富雅坪社區,
高新區這邊). Labels follow the spec: a demand's relevant resources are its need's city-wide
resource and the look-alikes ``ALSO_RELEVANT`` lists (a look-alike that really meets another need).
Demands in ``NO_MATCH`` have no relevant resource at all: the answer is "no good match yet".
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import opencc

HERE = Path(__file__).resolve().parent
S2T = opencc.OpenCC("s2t")

# name as written, Traditional form, division code, lat, lng, street code
PLACES = [
    ("王家垅社区", "王家壠社區", "430105004001", 28.2253, 112.9907),
    ("富雅坪社区", "富雅坪社區", "430105004002", 28.2227, 112.9846),
    ("清水塘社区", "清水塘社區", "430105002001", 28.2036, 112.9843),
    ("银星社区", "銀星社區", "430104005001", 28.1907, 112.9336),
    ("望月湖", "望月湖", "430104005002", 28.1859, 112.9379),
    ("桃子湖社区", "桃子湖社區", "430104007001", 28.1814, 112.9450),
    ("麓谷", "麓谷", "430104011001", 28.2129, 112.8779),
    ("韭菜园", "韭菜園", "430102003001", 28.1991, 113.0014),
    ("坡子街", "坡子街", "430103002001", 28.1920, 112.9771),
    ("洞井", "洞井", "430111004001", 28.1329, 112.9979),
    ("高新区", "高新區", "4301GX001001", 28.2320, 112.8841),
]
ALIASES = {"尖山湖": "高新区"}
ALSO_RELEVANT = {  # need whose look-alike resource → needs it really meets
    "eyesold": ("antifraud",),
    "choir": ("meetingroom",),
    "meetingroom": ("choir",),
    "festival": ("meetingroom",),
    "cleaning": ("familydoc",),
    "truancy": ("smartphone",),
    "smartphone": ("truancy",),
    "antifraud": ("finance",),
    "relief": ("firstaid",),
    "heatstroke": ("summercamp",),
    "summercamp": ("heatstroke",),
    "kidseyes": ("eyesold",),
    "flood": ("swimming",),
    "autism": ("visits",),
    "counsel": ("heart",),
    "domestic": ("truancy",),
    "firstaid": ("drowning",),
}
DEMAND_HEADER = ["id", "title", "description", "category", "quantity", "area", "lat", "lng", "deadline"]
RESOURCE_HEADER = [
    *("id", "title", "description", "category", "capacity", "provider", "area", "lat", "lng", "radius_km"),
    *("available_from", "available_to", "service_areas"),
]
NO_MATCH = [
    "自行车链条掉了，想找人修",
    "要搬家，缺几个人手帮忙抬家具",
    "想找人下圍棋",
    "钥匙丢了进不了门",
    "家里网络老断，宽带不好",
    "快递没人代收",
    "鞋子開膠了想找人修",
    "家里有蟑螂老鼠，想消杀",
    "楼道里有个马蜂窝",
    "白蟻把門框蛀了",
    "想找个棋友下象棋",
    "周末想去钓鱼",
    "大龄青年想找对象",
    "想找人帮忙遛狗",
    "菜刀钝了想磨磨",
    "想租个婚车",
    "手機屏幕摔碎了",
    "想办个护照",
    "想找人帮忙代写春联",
    "想买辆二手汽车",
]


Place = tuple[str, str, str, float, float]


@dataclass
class Need:
    key: str
    category: str
    local: tuple[str, str]
    far: tuple[str, str]
    dis: tuple[str, str, str]
    demands: list[str] = field(default_factory=list)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def place_of(title: str) -> Place:
    for name, trad, code, lat, lng in PLACES:
        short = name.removesuffix("社区")
        if short in title:
            return name, trad, code, lat, lng
    for alias, name in ALIASES.items():
        if alias in title:
            return next(p for p in PLACES if p[0] == name)
    raise ValueError(title)


def written_place(rng: random.Random, place: Place, text: str) -> str:
    name, trad, *_ = place
    is_trad = S2T.convert(text) == text and any("\u4e00" <= c <= "\u9fff" for c in text)
    shown = trad if is_trad else name
    form = rng.choice(["{p}：{t}", "{t}（{p}）", "{p}{t}", "{p}这边{t}" if not is_trad else "{p}這邊{t}"])
    return form.format(p=shown, t=text)


def main() -> None:
    rng = random.Random(23)
    groups: list[Need] = []
    for spec in sorted(HERE.glob("spec_*.txt")):
        for raw in spec.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("- "):
                groups[-1].demands.append(line[2:].strip())
                continue
            key, category, title, desc, far_title, far_desc, dis_title, dis_desc, dis_category = line.split(
                "|"
            )
            groups.append(
                Need(key, category, (title, desc), (far_title, far_desc), (dis_title, dis_desc, dis_category))
            )
    resources: list[list[object]] = []
    local_id: dict[str, str] = {}
    dis_id: dict[str, str] = {}
    far_place: dict[str, Place] = {}
    n = 0
    for g in groups:
        key, category = g.key, g.category
        title, desc = g.local
        far_title, far_desc = g.far
        dis_title, dis_desc, dis_category = g.dis
        home = rng.choice(PLACES)
        far = place_of(far_title)
        far_place[key] = far
        for kind, (t, d, c, place, radius, service) in {
            "local": (title, desc, category, home, "", "4301"),
            "far": (far_title, far_desc, category, far, "2", ""),
            "dis": (dis_title, dis_desc, dis_category, rng.choice(PLACES), "", "4301"),
        }.items():
            n += 1
            rid = f"R{n:03d}"
            if rng.random() < 0.3:  # units write in either script
                t, d = S2T.convert(t), S2T.convert(d)
            shown_category = c if rng.random() < 0.8 else ""
            resources.append(
                [
                    rid,
                    t,
                    d,
                    shown_category,
                    100,
                    f"P{n:03d}",
                    place[2],
                    place[3],
                    place[4],
                    radius,
                    "",
                    "",
                    service,
                ]
            )
            if kind == "local":
                local_id[key] = rid
            elif kind == "dis":
                dis_id[key] = rid
    relevant_of: dict[str, set[str]] = {k: {v} for k, v in local_id.items()}
    for key, needs in ALSO_RELEVANT.items():
        for need in needs:
            relevant_of[need].add(dis_id[key])
    demand_rows: list[list[object]] = []
    labels: list[list[str]] = []
    m = 0
    for g in groups:
        key = g.key
        far = far_place[key]
        allowed = [p for p in PLACES if km((p[3], p[4]), (far[3], far[4])) > 3.0 and p[2][:9] != far[2][:9]]
        assert len(g.demands) == 5, key
        for text in g.demands:
            m += 1
            place = rng.choice(allowed)
            shown = written_place(rng, place, text) if rng.random() < 0.35 else text
            category = g.category if rng.random() < 0.25 else ""
            jitter = (rng.uniform(-0.004, 0.004), rng.uniform(-0.004, 0.004))
            with_xy = rng.random() < 0.7
            demand_rows.append(
                [
                    f"D{m:03d}",
                    shown,
                    "",
                    category,
                    rng.randint(1, 20),
                    place[2],
                    round(place[3] + jitter[0], 4) if with_xy else "",
                    round(place[4] + jitter[1], 4) if with_xy else "",
                    "",
                ]
            )
            labels.append([f"D{m:03d}", " ".join(sorted(relevant_of[key])), key])
    for text in NO_MATCH:
        m += 1
        place = rng.choice(PLACES)
        demand_rows.append([f"D{m:03d}", text, "", "", rng.randint(1, 5), place[2], "", "", ""])
        labels.append([f"D{m:03d}", "", "none"])
    with (HERE / "resources.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(RESOURCE_HEADER)
        w.writerows(resources)
    with (HERE / "demands.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(DEMAND_HEADER)
        w.writerows(demand_rows)
    with (HERE / "relevant.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["demand", "relevant", "need"])
        w.writerows(labels)
    print(f"{len(demand_rows)} demands, {len(resources)} resources, {len(groups)} needs")


if __name__ == "__main__":
    main()
