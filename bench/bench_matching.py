"""Benchmark: the matching engine on the synthetic city (20,000 open demands × 10,000 resources).

The city is generated here from the engine's own dataclasses (no database): a Changsha-like area
tree of 10 districts, 180 streets and 1,800 communities with coordinates; demands and resources
whose texts are the labelled set's (``gongjian/matching/data/labelled``) with a place, a building
and a time added, so nearly every text is new to the tokeniser; 4,000 providers with agreements,
past projects and loads. How far resources reach: 50 % their street only, 25 % a radius of 1–5 km,
15 % their district, 8 % three communities, 2 % the whole city. 2× and 4× are two and four such
cities side by side (a province growing), so each demand keeps about as many candidates; below
1× (the check) one city with fewer demands and resources.

Each scale (1× = 20,000 × 10,000; 2×; 4×) runs in a process of its own, so the peak memory
(``ru_maxrss``) is that run's alone; the figures are ``Result.stats`` of one ``match`` call with
top-5 both ways and the global allocation. A last step checks the allocation against an
independent solver (SciPy's LP with HiGHS; the problem is a transportation problem, so the LP
optimum is integral) on the pairs found and scored in one piece, apart from the engine's parts.

    .venv/bin/python bench/bench_matching.py                 # 1×, 2×, 4× and the check at 0.05×
    .venv/bin/python bench/bench_matching.py --scales 1      # 1× only
    .venv/bin/python bench/bench_matching.py --scales 1 --check-scale 1   # and the check at 1×
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BASE_DEMANDS, BASE_RESOURCES, BASE_PROVIDERS = 20_000, 10_000, 4_000
DISTRICTS, STREETS_PER_DISTRICT, COMMUNITIES_PER_STREET = 10, 18, 10
AS_OF = dt.date(2026, 12, 1)
SUFFIXES = ("周末", "本周内", "下个月", "尽快", "每周一次", "节假日", "晚上", "上午", "")
NAME_CHARS = "桂花东风清水塘银星望月湖桃子麓谷韭菜园坡子街洞井尖山金龙朝阳新河湘江雨花芙蓉岳麓开福天心长沙星沙黄兴梅溪洋湖"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_city(scale: float, seed: int = 2018) -> tuple[list[Any], list[Any], Any]:
    """Demands, resources and context of the synthetic city at ``scale`` (1.0 = 20,000 × 10,000)."""
    from gongjian.matching.engine_data import Context, Demand, Resource
    from gongjian.matching.evaluate import load

    rng = random.Random(seed)
    labelled = load()
    communities: list[tuple[str, float, float, str, str]] = []  # code, lat, lng, street, district
    names: dict[str, str] = {}
    cities = max(1, round(scale))  # 2× is two such cities side by side, not one twice as dense
    for city_n in range(cities):
        city = f"43{city_n + 1:02d}"
        for d in range(DISTRICTS):
            district = f"{city}{d + 1:02d}"
            d_lat, d_lng = 28.05 + 0.1 * (d % 4), 112.80 + 0.1 * (d // 4) + 0.6 * city_n
            for s in range(STREETS_PER_DISTRICT):
                street = f"{district}{s + 1:03d}"
                s_lat, s_lng = d_lat + rng.uniform(0, 0.09), d_lng + rng.uniform(0, 0.09)
                for c in range(COMMUNITIES_PER_STREET):
                    code = f"{street}{c + 1:03d}"
                    communities.append(
                        (
                            code,
                            s_lat + rng.uniform(-0.01, 0.01),
                            s_lng + rng.uniform(-0.01, 0.01),
                            street,
                            district,
                        )
                    )
                    names[code] = "".join(rng.choice(NAME_CHARS) for _ in range(2)) + "社区"
    n_d, n_r, n_p = int(BASE_DEMANDS * scale), int(BASE_RESOURCES * scale), int(BASE_PROVIDERS * scale)

    def place() -> tuple[str, float, float, str, str]:
        return rng.choice(communities)

    demands = []
    for i in range(n_d):
        model = rng.choice(labelled.demands)
        code, lat, lng, _, _ = place()
        demands.append(
            Demand(
                id=f"d{i}",
                title=f"{model.title}{rng.choice(SUFFIXES)}",
                # the place inside the first and last runs of text, so nearly every run is new
                description=f"{names[code]}{model.description}{rng.randint(1, 60)}栋{rng.randint(1, 6)}单元",
                category=model.category,
                quantity=rng.choice((1, 1, 2, 3, 5, 10, 20, 50)),
                area=code,
                lat=lat + rng.uniform(-0.003, 0.003),
                lng=lng + rng.uniform(-0.003, 0.003),
                deadline=AS_OF + dt.timedelta(days=rng.randint(1, 180)),
            )
        )
    providers = [f"u{p}" for p in range(n_p)]
    provider_home = {p: place() for p in providers}
    resources = []
    for j in range(n_r):
        model = rng.choice(labelled.resources)
        provider = rng.choice(providers)
        code, lat, lng, street, district = provider_home[provider]
        reach = rng.random()
        radius, service = None, ()
        if 0.50 <= reach < 0.75:
            radius = rng.uniform(1, 5)
        elif 0.75 <= reach < 0.90:
            service = (district,)
        elif 0.90 <= reach < 0.98:
            service = tuple(place()[0] for _ in range(3))
        elif reach >= 0.98:
            service = (code[:4],)  # the whole city
        start = AS_OF + dt.timedelta(days=rng.randint(-200, 60)) if rng.random() < 0.3 else None
        end = AS_OF + dt.timedelta(days=rng.randint(-10, 400)) if rng.random() < 0.3 else None
        if start and end and end < start:
            start, end = end, start
        resources.append(
            Resource(
                id=f"r{j}",
                title=model.title,
                description=f"{names[code]}{model.description}联系{rng.choice('张王李赵刘陈杨黄')}老师{rng.randint(1, 99)}",
                category=model.category,
                capacity=rng.choice((1, 2, 5, 10, 20, 50, 100)),
                provider=provider,
                area=code,
                lat=lat,
                lng=lng,
                radius_km=radius,
                service_areas=service,
                available_from=start,
                available_to=end,
            )
        )
    agreements = frozenset((rng.choice(providers), place()[3]) for _ in range(n_p))
    past = {(rng.choice(providers), place()[0]): rng.randint(1, 4) for _ in range(2 * n_p)}
    load = {p: rng.choice((0, 0, 0, 1, 2, 3, 5)) for p in providers}
    return demands, resources, Context(agreements=agreements, past_projects=past, load=load, as_of=AS_OF)


def child_match(scale: float) -> dict[str, Any]:
    started = time.perf_counter()
    demands, resources, context = build_city(scale)
    generated = time.perf_counter() - started
    from gongjian.matching import text

    started = time.perf_counter()
    text.analyzer()  # the tokeniser's dictionary: loaded once per process
    warm = time.perf_counter() - started
    from gongjian.matching.engine import match

    started, cpu = time.perf_counter(), time.process_time()
    result = match(demands, resources, context, top_k=5)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    match(demands, resources, context, top_k=5)  # again, with the tokens remembered
    warm_seconds = time.perf_counter() - started
    allocated = sum(a.quantity for a in result.allocation)
    return {
        "scale": scale,
        "generate_s": generated,
        "jieba_load_s": warm,
        "match_s": seconds,
        "match_cpu_s": cpu,
        "warm_match_s": warm_seconds,
        "stats": result.stats,
        "allocated_units": allocated,
        "pairs_allocated": len(result.allocation),
        "unallocated": len(result.unallocated),
        "peak_mib": _peak_mib(),
        "load": os.getloadavg()[0],  # the machine's load during the run (1-minute average at its end)
    }


def child_check(scale: float) -> dict[str, Any]:
    """The engine's allocation against SciPy's LP (HiGHS) on the same pairs and integer values.

    The pairs are found and scored here in one piece (``score_pairs`` on every candidate), apart
    from the engine's parts; the engine's optimum is ``Result.stats["allocation.value"]``. The
    problem is a transportation problem (its matrix is totally unimodular), so the LP optimum is
    the integral one."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.optimize import linprog

    from gongjian.matching.allocate import unit_values
    from gongjian.matching.candidates import Index, candidate_pairs
    from gongjian.matching.engine import match
    from gongjian.matching.score import DEFAULT_WEIGHTS, category_ids, score_pairs, text_vectors
    from gongjian.matching.text import analyzer, category_code

    demands, resources, context = build_city(scale)
    result = match(demands, resources, context, top_k=5)
    index = Index.build(demands, resources)
    a = analyzer()
    vectors = text_vectors(
        a.tokenize_all([d.text for d in demands]),
        a.tokenize_all([r.text for r in resources]),
        DEFAULT_WEIGHTS,
    )
    cats = category_ids(
        [category_code(d.category) for d in demands], [category_code(r.category) for r in resources]
    )
    d, r = candidate_pairs(index, context)
    scores = score_pairs(index, d, r, vectors, cats, context)
    keep = np.flatnonzero(scores.text >= DEFAULT_WEIGHTS.min_text_for_allocation)
    dd, rr = scores.d[keep], scores.r[keep]
    values = unit_values(scores.score[keep], index.d_remaining[dd])
    del scores, d, r
    n = len(keep)
    rows_d = sp.csr_matrix((np.ones(n), (dd, np.arange(n))), shape=(len(demands), n))
    rows_r = sp.csr_matrix((np.ones(n), (rr, np.arange(n))), shape=(len(resources), n))
    started = time.perf_counter()
    solved = linprog(
        c=-values.astype(float),
        A_ub=sp.vstack([rows_d, rows_r]).tocsr(),
        b_ub=np.concatenate([index.d_remaining, index.r_remaining]).astype(float),
        bounds=(0, None),
        method="highs",
    )
    return {
        "scale": scale,
        "pairs": n,
        "engine_value": int(result.stats["allocation.value"]),
        "lp_value": round(-solved.fun) if solved.status == 0 else None,
        "lp_status": solved.message,
        "lp_s": time.perf_counter() - started,
        "allocation_pairs_in_result": len(result.allocation),
    }


def run_child(step: str, scale: float) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, __file__, "--child", step, "--scale", str(scale)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", default="1,2,4", help="comma-separated multiples of 20,000 × 10,000")
    parser.add_argument(
        "--check-scale",
        type=float,
        default=0.05,
        help="size of the check against SciPy's LP (HiGHS): 1 checks the 1× city (0 to skip)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fn = child_match if args.child == "match" else child_check
        print(json.dumps(fn(args.scale)))
        return
    runs = []
    for scale in args.scales.split(","):
        run = run_child("match", float(scale))
        runs.append(run)
        # each scale's figures as soon as they are in (a long run keeps what it measured)
        print(
            f"{run['scale']:g}×: match {run['match_s']:.1f} s, CPU {run['match_cpu_s']:.1f} s, "
            f"peak {run['peak_mib']:.0f} MiB, {int(run['stats']['pairs.candidates']):,} candidate pairs, "
            f"load average {run.get('load', 0):.1f}",
            flush=True,
        )
    steps = ["tokens", "vectors", "candidates", "scores", "top_k", "allocation", "reasons"]
    print(
        "| scale | demands | resources | candidate pairs | allocatable | "
        + " | ".join(f"{s} (s)" for s in steps)
        + " | match (s) | CPU (s) | growth | again (s) | peak MiB | tokeniser load (s) |"
    )
    print("|---" * (len(steps) + 11) + "|")
    base = runs[0]["match_s"] if runs else 1.0
    for run in runs:
        st = run["stats"]
        cells = [
            f"{run['scale']:g}×",
            f"{int(st['demands']):,}",
            f"{int(st['resources']):,}",
            f"{int(st['pairs.candidates']):,}",
            f"{int(st['pairs.allocatable']):,}",
            *[f"{st['seconds.' + s]:.2f}" for s in steps],
            f"{run['match_s']:.2f}",
            f"{run['match_cpu_s']:.2f}",
            f"{run['match_s'] / base:.2f}×",
            f"{run['warm_match_s']:.2f}",
            f"{run['peak_mib']:.0f}",
            f"{run['jieba_load_s']:.2f}",
        ]
        print("| " + " | ".join(cells) + " |")
    goals = {2.0: 2.1, 4.0: 4.4}
    print(
        "\n| scale | candidate pairs | time | CPU time | goal (time) | candidates | scores | allocation "
        "| peak MiB | ≤ 2 GiB |"
    )
    print("|---" * 10 + "|")
    first = runs[0] if runs else None
    for run in runs:
        if first is None:
            break
        st, st0 = run["stats"], first["stats"]
        k = run["scale"] / first["scale"]

        def grew(step: str, st: dict[str, float] = st, st0: dict[str, float] = st0) -> str:
            return f"{st['seconds.' + step] / max(st0['seconds.' + step], 1e-9):.2f}×"

        goal = goals.get(k)
        cpu_ratio = run["match_cpu_s"] / max(first["match_cpu_s"], 1e-9)
        # judged on the larger of the wall and CPU ratios: on a shared machine the wall clock
        # counts the waits for a core, and CPU time alone hides the second thread's overlap
        within = "" if goal is None else ("yes" if max(run["match_s"] / base, cpu_ratio) <= goal else "NO")
        # ratios are of the same step at 1× (wall time; CPU time beside it: the machine may be shared)
        cells = [
            f"{run['scale']:g}×",
            f"{st['pairs.candidates'] / st0['pairs.candidates']:.2f}×",
            f"{run['match_s'] / base:.2f}×",
            f"{run['match_cpu_s'] / max(first['match_cpu_s'], 1e-9):.2f}×",
            f"≤ {goal:g}× {within}" if goal else "",
            grew("candidates"),
            grew("scores"),
            grew("allocation"),
            f"{run['peak_mib']:.0f}",
            "yes" if run["peak_mib"] <= 2048 else "NO",
        ]
        print("| " + " | ".join(cells) + " |")
    for run in runs:
        print(
            f"{run['scale']:g}×: {run['pairs_allocated']:,} allocation pairs, {run['allocated_units']:,} units, "
            f"{run['unallocated']:,} demands unallocated; generating the city took {run['generate_s']:.1f} s"
        )
    if args.check_scale > 0:
        check = run_child("check", args.check_scale)
        same = "equal" if check["engine_value"] == check["lp_value"] else "DIFFERENT"
        print(
            f"\ncheck at {check['scale']:g}× ({check['pairs']:,} allocatable pairs): the engine's min-cost flow "
            f"{check['engine_value']:,}, HiGHS LP {check['lp_value']} ({check['lp_s']:.1f} s, {check['lp_status']}): {same}"
        )


if __name__ == "__main__":
    main()
