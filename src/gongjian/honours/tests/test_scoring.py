"""The pure core: points, scores and places (ties share a place; a negative list names the lowest)."""

from decimal import Decimal

import pytest

from gongjian.honours import scoring
from gongjian.honours.scoring import Candidate


def test_points_and_score_add_weight_times_value_and_the_adjustment() -> None:
    assert scoring.points(0.9512, 40) == Decimal("38.0480")
    assert scoring.score([Decimal("38.048"), Decimal("12")], Decimal("-2.5")) == Decimal("47.5480")


def test_a_positive_list_ranks_the_highest_first_and_ties_share_a_place() -> None:
    placed = scoring.rank(
        [Candidate(1, "甲", Decimal(5)), Candidate(2, "乙", Decimal(9)), Candidate(3, "丙", Decimal(5))],
        how_many=2,
    )
    by_key = {p.key: (p.rank, p.listed) for p in placed}
    assert by_key == {2: (1, True), 1: (2, True), 3: (2, True)}  # the tie at the border lists both


def test_a_negative_list_names_the_lowest_and_an_excluded_candidate_has_no_place() -> None:
    placed = scoring.rank(
        [
            Candidate(1, "甲", Decimal(1)),
            Candidate(2, "乙", Decimal(9)),
            Candidate(3, "丙", Decimal(0), excluded=True),
        ],
        how_many=1,
        negative=True,
    )
    by_key = {p.key: (p.rank, p.listed) for p in placed}
    assert by_key == {1: (1, True), 2: (2, False), 3: (None, False)}


def test_how_many_must_be_at_least_one() -> None:
    with pytest.raises(ValueError):
        scoring.rank([], how_many=0)


def test_a_period_splits_at_each_new_year_and_a_flow_counts_only_inside_it() -> None:
    import datetime as dt

    from gongjian.honours.scoring import over_period, period_dates, period_segments, share

    d = dt.date
    segments = period_segments(d(2025, 12, 15), d(2026, 2, 1))
    assert segments == [(d(2025, 12, 31), d(2025, 12, 14)), (d(2026, 2, 1), None)]
    assert period_dates(segments) == [d(2025, 12, 14), d(2025, 12, 31), d(2026, 2, 1)]
    ytd = {d(2025, 12, 14): 1, d(2025, 12, 31): 2, d(2026, 2, 1): 1}
    assert over_period("flow", segments, ytd.__getitem__) == 2
    assert over_period("stock", segments, ytd.__getitem__) == 1  # a stock is read on the last day
    assert period_segments(d(2026, 1, 1), d(2026, 3, 31)) == [(d(2026, 3, 31), None)]
    assert share(1, 4) == 0.25 and share(3, 0) == 0.0
