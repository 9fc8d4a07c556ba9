"""Who can serve at all: the candidate pairs, found through indexes, never by comparing every pair.

A resource can serve a demand when all of these hold:

* **reach**: the demand lies in one of the resource's service areas (its division code starts with
  the area's code), or within ``radius_km`` of the resource (haversine on the mean Earth radius), or
  in the resource's own street (a resource always reaches the street it sits in; when its area is a
  street or higher, that whole area). A resource that says nothing about where it is or reaches
  (no area, no coordinates, no service areas) reaches every demand; a demand with no area and no
  coordinates can be reached by every resource;
* **time**: the resource's availability overlaps the demand's time: it starts on or before the
  deadline, and (when the context has ``as_of``) it has not ended before that day;
* **amount**: the demand still needs something and the resource has capacity left.

Indexes: demands sorted by division code, so "every demand under 430104001" is one binary search
(``numpy.searchsorted``); demand coordinates in a k-d tree of unit vectors (``scipy.spatial.cKDTree``),
where a radius on the sphere is an exact chord length. Work grows with the pairs found, not with
demands × resources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from .engine_data import LEVEL_LENGTHS, Context, Demand, Resource, area_prefix

EARTH_RADIUS_KM = 6371.0088
_TOP = "\U0010ffff"
_NEVER = np.iinfo(np.int64).max
_ALWAYS = np.iinfo(np.int64).min

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def haversine_km(lat1: FloatArray, lng1: FloatArray, lat2: FloatArray, lng2: FloatArray) -> FloatArray:
    """Great-circle distance in km between points given in degrees (arrays of the same shape)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lng2) - np.radians(lng1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return km


def chord_km(a: FloatArray, b: FloatArray) -> FloatArray:
    """Great-circle distance in km between rows of unit vectors (same as ``haversine_km``)."""
    chord = np.sqrt(((a - b) ** 2).sum(axis=1))
    km: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0.0, 1.0))
    return km


def _unit_vectors(lat: FloatArray, lng: FloatArray) -> FloatArray:
    p, lam = np.radians(lat), np.radians(lng)
    return np.column_stack((np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)))


def _coords(
    items: Sequence[Demand | Resource],
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    lat = np.array([math.nan if x.lat is None else x.lat for x in items], dtype=np.float64)
    lng = np.array([math.nan if x.lng is None else x.lng for x in items], dtype=np.float64)
    return lat, lng, ~(np.isnan(lat) | np.isnan(lng))


def _ordinal(day: object, default: int) -> int:
    return day.toordinal() if day is not None else default  # type: ignore[attr-defined]


@dataclass
class Index:
    """Both lists as arrays, built once per match and shared by candidates, scores and reasons."""

    demands: Sequence[Demand]
    resources: Sequence[Resource]
    d_lat: FloatArray
    d_lng: FloatArray
    d_has_xy: npt.NDArray[np.bool_]
    r_lat: FloatArray
    r_lng: FloatArray
    r_has_xy: npt.NDArray[np.bool_]
    d_remaining: IntArray
    r_remaining: IntArray
    #: per level ("district", "street", "community"): an integer id of the ancestor code, -1 if none
    d_level: dict[str, IntArray]
    r_level: dict[str, IntArray]
    level_codes: list[str]  # id → code, for every id in d_level and r_level
    d_xyz: FloatArray  # unit vectors (NaN without coordinates)
    r_xyz: FloatArray
    d_codes: npt.NDArray[np.str_]  # each demand's division code
    d_by_code: IntArray  # demand positions sorted by division code (neighbours are near)

    @classmethod
    def build(cls, demands: Sequence[Demand], resources: Sequence[Resource]) -> Index:
        d_lat, d_lng, d_has = _coords(demands)
        r_lat, r_lng, r_has = _coords(resources)
        code_id: dict[str, int] = {}

        def level_ids(items: Sequence[Demand | Resource], level: str) -> IntArray:
            out = np.full(len(items), -1, dtype=np.int64)
            for i, x in enumerate(items):
                prefix = area_prefix(x.area, level)
                if prefix:
                    out[i] = code_id.setdefault(prefix, len(code_id))
            return out

        d_level = {level: level_ids(demands, level) for level in LEVEL_LENGTHS}
        d_codes = np.array([d.area for d in demands], dtype=str)
        r_level = {level: level_ids(resources, level) for level in LEVEL_LENGTHS}
        return cls(
            demands=demands,
            resources=resources,
            d_lat=d_lat,
            d_lng=d_lng,
            d_has_xy=d_has,
            r_lat=r_lat,
            r_lng=r_lng,
            r_has_xy=r_has,
            d_remaining=np.array([d.remaining for d in demands], dtype=np.int64),
            r_remaining=np.array([r.remaining for r in resources], dtype=np.int64),
            d_level=d_level,
            r_level=r_level,
            level_codes=list(code_id),
            d_xyz=_unit_vectors(d_lat, d_lng),
            r_xyz=_unit_vectors(r_lat, r_lng),
            d_codes=d_codes,
            d_by_code=np.argsort(d_codes, kind="stable").astype(np.int64),
        )


def own_reach(resource: Resource) -> str:
    """The area a resource always reaches: its street, or its area when that is a street or higher."""
    return area_prefix(resource.area, "street") or resource.area


def _union(
    spans: list[tuple[int, int]],
    by_code: IntArray,
    position: IntArray,
    hits: IntArray | None,
    extra: IntArray,
) -> IntArray:
    """Demands in any of the code ranges, or among ``hits`` / ``extra``, each once (no sort of the
    demands themselves: ranges are merged, and hits inside a range are dropped)."""
    merged: list[list[int]] = []
    for lo, hi in sorted(s for s in spans if s[1] > s[0]):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    pieces = [by_code[lo:hi] for lo, hi in merged]
    for more in (hits, extra):
        if more is None or not len(more):
            continue
        if merged:
            starts = np.array([m[0] for m in merged])
            ends = np.array([m[1] for m in merged])
            at = position[more]
            k = np.searchsorted(starts, at, side="right") - 1
            more = more[~((k >= 0) & (at < ends[np.maximum(k, 0)]))]
        pieces.append(more)
    if not pieces:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]


def candidate_pairs(index: Index, context: Context) -> tuple[IntArray, IntArray]:
    """(demand positions, resource positions) of every pair that can serve, grouped by resource."""
    demands, resources = index.demands, index.resources
    n_d = len(demands)
    if n_d == 0 or not resources:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty

    open_d = index.d_remaining > 0
    by_code = index.d_by_code
    sorted_codes = index.d_codes[by_code]
    has_area = index.d_codes != ""
    nowhere = np.flatnonzero(~has_area & ~index.d_has_xy)  # reachable by every resource

    def under(prefix: str) -> tuple[int, int]:
        """The demands under a code: a range of positions in code order."""
        lo = int(np.searchsorted(sorted_codes, prefix, side="left"))
        hi = int(np.searchsorted(sorted_codes, prefix + _TOP, side="left"))
        return lo, hi

    position = np.empty(n_d, dtype=np.int64)
    position[by_code] = np.arange(n_d)

    # radius: one ball query for all resources with a radius and coordinates
    xy_demands = np.flatnonzero(index.d_has_xy)
    radius = np.array(
        [r.radius_km if r.radius_km is not None and r.radius_km > 0 else math.nan for r in resources]
    )
    with_radius = np.flatnonzero(index.r_has_xy & ~np.isnan(radius))
    hits: dict[int, IntArray] = {}
    if len(with_radius) and len(xy_demands):
        tree = cKDTree(_unit_vectors(index.d_lat[xy_demands], index.d_lng[xy_demands]))
        points = _unit_vectors(index.r_lat[with_radius], index.r_lng[with_radius])
        angle = np.minimum(radius[with_radius] / EARTH_RADIUS_KM, math.pi)
        chord = 2 * np.sin(angle / 2) * (1 + 1e-12)
        found = tree.query_ball_point(points, r=chord, return_sorted=False)
        for j, local in zip(with_radius.tolist(), found, strict=True):
            if local:
                hits[j] = xy_demands[np.asarray(local, dtype=np.int64)]

    as_of = _ordinal(context.as_of, _ALWAYS)
    deadline = np.array([_ordinal(d.deadline, _NEVER) for d in demands], dtype=np.int64)
    start = np.array([_ordinal(r.available_from, _ALWAYS) for r in resources], dtype=np.int64)
    d_parts: list[IntArray] = []
    r_parts: list[IntArray] = []
    all_demands = np.arange(n_d, dtype=np.int64)
    for j, r in enumerate(resources):
        if index.r_remaining[j] <= 0 or _ordinal(r.available_to, _NEVER) < as_of:
            continue
        reach_known = bool(
            r.area or r.service_areas or j in hits or (index.r_has_xy[j] and not math.isnan(radius[j]))
        )
        if not reach_known:
            found_d = all_demands
        else:
            spans = [under(own_reach(r))] if r.area else []
            spans.extend(under(code) for code in r.service_areas if code)
            found_d = _union(spans, by_code, position, hits.get(j), nowhere)
            if not len(found_d):
                continue
        d_parts.append(found_d)
        r_parts.append(np.full(len(found_d), j, dtype=np.int64))
    if not d_parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    d_all, r_all = np.concatenate(d_parts), np.concatenate(r_parts)
    keep = open_d[d_all] & (deadline[d_all] >= start[r_all])
    return d_all[keep], r_all[keep]
