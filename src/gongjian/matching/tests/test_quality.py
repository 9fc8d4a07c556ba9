"""Both labelled sets: the engine reaches the goals of issue #23, beats both baselines, and never
recommends a pair without a content match; the relevance set is as large and as hard as promised."""

from collections import Counter

import pytest

from gongjian.matching.evaluate import ALL, SETS, evaluate, load, report


@pytest.fixture(scope="module")
def relevance():
    data = load(SETS["relevance"])
    return data, evaluate(data)


def test_relevance_set_is_big_consistent_and_mixed():
    data = load(SETS["relevance"])
    assert len(data.demands) >= 500 and len(data.resources) >= 300
    assert set(data.relevant) == {d.id for d in data.demands}
    resource_ids = {r.id for r in data.resources}
    assert all(good <= resource_ids for good in data.relevant.values())
    assert sum(1 for good in data.relevant.values() if not good) >= 20  # no good match yet
    # both scripts: a good share of the demands changes under Traditional → Simplified folding
    from gongjian.matching.text import normalise

    traditional = sum(normalise(d.title) != d.title.lower().replace(" ", "") for d in data.demands)
    assert traditional >= 100
    # places as people write them, in the text
    assert (
        sum(
            any(p in d.title for p in ("社区", "社區", "高新区", "高新區", "这边", "這邊"))
            for d in data.demands
        )
        >= 100
    )


def test_engine_reaches_the_goal_on_the_relevance_set_and_beats_both_baselines(relevance):
    _data, figures = relevance
    engine = figures["engine"][ALL]
    assert engine["precision@1"] >= 0.95 and engine["mrr"] >= 0.97
    assert engine["unmatched"] == 0  # never a recommendation without a content match
    assert engine["none_said"] == 1.0  # "no good match yet" for every demand nothing meets
    for baseline in ("category+distance", "bigram overlap"):
        theirs = figures[baseline][ALL]
        assert engine["precision@1"] >= theirs["precision@1"] + 0.3
        assert engine["mrr"] > theirs["mrr"] and engine["recall@5"] > theirs["recall@5"]
        assert theirs["unmatched"] > 0  # the baselines recommend what a person would never pick


def test_engine_holds_on_the_older_labelled_set():
    figures = evaluate(load(SETS["labelled"]))
    for split in ("tuning", "held-out"):
        assert figures["engine"][split]["precision@1"] >= 0.9
        assert figures["engine"][split]["unmatched"] == 0
        assert figures["engine"][split]["precision@1"] > figures["bigram overlap"][split]["precision@1"]


def test_report_prints_the_three_methods_in_one_table(relevance, monkeypatch):
    data, figures = relevance
    import gongjian.matching.evaluate as ev

    monkeypatch.setattr(ev, "evaluate", lambda _data=None: figures)
    table = report("table", SETS["relevance"])
    rows = Counter(
        line.split("|")[1].strip()
        for line in table.splitlines()
        if line.startswith("| ") and "---" not in line
    )
    assert rows["engine"] == rows["category+distance"] == rows["bigram overlap"] == 1
    assert f"{len(data.demands)} demands" in table
