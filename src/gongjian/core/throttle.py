"""Per-person rate limits that services enforce (the API answers 429, pages show the message).

A limit is written like DRF's throttle rates, ``"20/hour"``; counts live in the cache, in fixed
windows (the hour, the minute …) so that a count and its window expire together.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


class RateLimited(Exception):
    """Too many calls: ``wait`` seconds until the window ends."""

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(message)
        self.message = message
        self.wait = wait


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"20/hour"`` → Rate(20, 3600); a bad setting is an error at once, not a silent no-limit."""
        number, _, period = text.partition("/")
        seconds = PERIODS.get(period.strip().lower())
        if not number.strip().isdigit() or seconds is None or int(number) < 1:
            raise ValueError(f"not a rate like '20/hour': {text!r}")
        return cls(int(number), seconds)


def _window(rate: Rate) -> tuple[int, int]:
    """The current window's number and the seconds left in it."""
    now = int(time.time())
    return now // rate.seconds, rate.seconds - now % rate.seconds


def count_hit(key: str, rate: Rate) -> int:
    """Count one call under ``key`` in the current window and return the window's count."""
    window, left = _window(rate)
    full = f"gj:rate:{key}:{rate.seconds}:{window}"
    cache.add(full, 0, timeout=left + 1)
    try:
        return int(cache.incr(full))
    except ValueError:  # expired between add and incr
        cache.set(full, 1, timeout=left + 1)
        return 1


def peek(key: str, rate: Rate) -> int:
    window, _left = _window(rate)
    return int(cache.get(f"gj:rate:{key}:{rate.seconds}:{window}", 0))


def check(key: str, rate: Rate, message: str) -> None:
    """Raise RateLimited when ``key`` already used its ``rate`` in this window; else count the call."""
    if peek(key, rate) >= rate.count:
        raise RateLimited(message, _window(rate)[1])
    count_hit(key, rate)
