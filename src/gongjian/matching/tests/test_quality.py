"""The labelled set: the engine reaches the goal on the held-out half and beats both baselines."""

from gongjian.matching.evaluate import evaluate, load


def test_labelled_set_is_big_and_consistent():
    data = load()
    assert len(data.demands) >= 200
    assert set(data.relevant) == {d.id for d in data.demands}
    resource_ids = {r.id for r in data.resources}
    assert all(good and good <= resource_ids for good in data.relevant.values())
    assert {"tuning", "held-out"} == set(data.split.values())


def test_engine_reaches_the_goal_and_beats_both_baselines_on_held_out():
    figures = evaluate()
    held_out = {name: by_split["held-out"] for name, by_split in figures.items()}
    engine = held_out["engine"]
    assert engine["precision@1"] >= 0.9
    for baseline in ("category+distance", "bigram overlap"):
        assert engine["precision@1"] >= held_out[baseline]["precision@1"] + 0.05
        assert engine["mrr"] > held_out[baseline]["mrr"]
        assert engine["recall@5"] > held_out[baseline]["recall@5"]
