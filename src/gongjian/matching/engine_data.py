"""The engine's inputs and outputs: plain dataclasses, no Django.

The product's adapter (``services.py``, issue #6 item 2) builds these from its rows; the offline
command builds them from CSV (``csvio``); the benchmark generates them. Ids are strings, so any
key (``"42"``, ``"unit:7"``) works.

Areas are division codes whose prefixes are their ancestors, as on the map: ``430104`` (district),
``430104001`` (street), ``430104001001`` (community), then ``-NNN`` segments below (compound,
building). ``area_prefix(code, "street")`` is the street a code lies in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Length of a division code at each level (China's GB/T 2260 + the 3+3 digits of streets and
#: communities). A code shorter than a level has no ancestor at that level.
LEVEL_LENGTHS: Mapping[str, int] = {"district": 6, "street": 9, "community": 12}


def area_prefix(code: str, level: str) -> str:
    """The ancestor of ``code`` at ``level`` (``""`` when the code is not that deep)."""
    n = LEVEL_LENGTHS[level]
    return code[:n] if len(code) >= n else ""


@dataclass(frozen=True, slots=True)
class Demand:
    """An open demand: what is needed, how much is still needed, where and by when."""

    id: str
    title: str
    description: str = ""
    category: str = ""  # a category code or name in either script (``health``, 医疗健康, 醫療); may be empty
    quantity: int = 1  # how much is needed in all
    claimed: int = 0  # how much is already covered by accepted claims
    area: str = ""  # division code of the place
    lat: float | None = None
    lng: float | None = None
    deadline: dt.date | None = None

    @property
    def remaining(self) -> int:
        return max(0, self.quantity - self.claimed)

    @property
    def text(self) -> str:
        return f"{self.title} {self.description}".strip()


@dataclass(frozen=True, slots=True)
class Resource:
    """An offered resource: what, how much is left, who provides it, where it reaches, and when."""

    id: str
    title: str
    description: str = ""
    category: str = ""
    capacity: int = 1
    claimed: int = 0
    provider: str = ""  # provider id (unit, organisation or member): agreements and load are per provider
    area: str = ""  # division code where the provider sits
    lat: float | None = None
    lng: float | None = None
    radius_km: float | None = None  # reaches demands within this distance
    service_areas: tuple[str, ...] = ()  # reaches demands anywhere under these division codes
    available_from: dt.date | None = None
    available_to: dt.date | None = None

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.claimed)

    @property
    def text(self) -> str:
        return f"{self.title} {self.description}".strip()


@dataclass(frozen=True)
class Context:
    """What the platform knows about providers and communities beyond the two lists.

    * ``agreements``: (provider, area code) pairs with a co-building agreement in force; an
      agreement with a street or district covers every community under it.
    * ``past_projects``: (provider, area code) → number of past projects between them, counted
      for the demand's area and each of its ancestors.
    * ``load``: provider → projects it is carrying now.
    * ``as_of``: the day of the match: a resource whose availability ended before it is out.
    """

    agreements: frozenset[tuple[str, str]] = frozenset()
    past_projects: Mapping[tuple[str, str], int] = field(default_factory=dict)
    load: Mapping[str, int] = field(default_factory=dict)
    as_of: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """The pieces of one pair's score, kept for the reasons and for the product's pages."""

    text: float  # TF-IDF cosine, 0..1
    category: float  # 1 same, 0 different, CATEGORY_UNKNOWN when either side has none
    proximity: float  # 0..1 (distance decay, or the area relation when coordinates are missing)
    distance_km: float | None
    relation: str  # "community", "street", "district" or "" (the closest shared level)
    agreement: bool
    past_projects: int
    load: int


@dataclass(frozen=True, slots=True)
class Recommendation:
    demand: str
    resource: str
    score: float
    reasons: tuple[str, ...]
    parts: ScoreParts


@dataclass(frozen=True, slots=True)
class Allocation:
    demand: str
    resource: str
    quantity: int
    score: float


@dataclass
class Result:
    """What ``engine.match`` returns.

    * ``recommendations``: demand id → its top-K resources, best first (every demand is a key);
    * ``for_resources``: resource id → its top-K demands, best first (every resource is a key);
    * ``allocation``: the proposal maximising the total score under every quantity and capacity;
    * ``unallocated``: demands that get nothing in the proposal (in input order);
    * ``shortfall``: demand id → quantity still missing, for demands served only in part;
    * ``stats``: counts and seconds per step, for the benchmark and the logs.
    """

    recommendations: dict[str, list[Recommendation]]
    for_resources: dict[str, list[Recommendation]]
    allocation: list[Allocation]
    unallocated: list[str]
    shortfall: dict[str, int]
    stats: dict[str, float]

    def to_contract(self) -> dict[str, object]:
        """The JSON of ``gongjian match --format json`` (the contract other tools rely on)."""
        return {
            "recommendations": {
                demand: [{"resource": r.resource, "score": r.score, "reasons": list(r.reasons)} for r in recs]
                for demand, recs in self.recommendations.items()
            },
            "allocation": [
                {"demand": a.demand, "resource": a.resource, "quantity": a.quantity} for a in self.allocation
            ],
            "unallocated": list(self.unallocated),
        }
