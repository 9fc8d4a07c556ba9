"""Top-K both ways: the best resources for each demand, and the best demands for each resource."""

from __future__ import annotations

import numpy as np

from .candidates import FloatArray, IntArray


def top_k(group: IntArray, score: FloatArray, tiebreak: IntArray, k: int) -> IntArray:
    """Positions of the ``k`` best pairs of every group (best first within a group, groups in order).

    Ties on the score go to the smaller ``tiebreak`` (the other side's position in its list), so the
    same input always gives the same list. Only pairs that can be among the best are sorted: those
    at or above a threshold that leaves about ``4·k`` pairs a group, plus every pair of a group with
    fewer than ``k`` above it; a group's best ``k`` are always among them, ties included.
    """
    if k <= 0 or len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    n_groups = int(group.max()) + 1
    wanted = 4 * k * n_groups
    if len(group) > 2 * wanted:
        threshold = np.partition(score, len(score) - wanted)[len(score) - wanted]
        above = score >= threshold
        short = np.bincount(group[above], minlength=n_groups) < k
        chosen = np.flatnonzero(above | short[group])
        return chosen[_top_k_sorted(group[chosen], score[chosen], tiebreak[chosen], k)]
    return _top_k_sorted(group, score, tiebreak, k)


def _top_k_sorted(group: IntArray, score: FloatArray, tiebreak: IntArray, k: int) -> IntArray:
    order = np.lexsort((tiebreak, -score, group))
    grouped = group[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, len(grouped)])
    rank = np.arange(len(grouped)) - np.repeat(starts, sizes)
    return order[rank < k]


def for_demands(d: IntArray, r: IntArray, score: FloatArray, k: int) -> IntArray:
    return top_k(d, score, r, k)


def for_resources(d: IntArray, r: IntArray, score: FloatArray, k: int) -> IntArray:
    return top_k(r, score, d, k)
