"""The rotating QR code of an activity: pure functions over the activity's secret and the time.

The token of a 30-second window is an HMAC (keyed from the personal-data key) of the activity's
id, its secret and the window's number; the current and the previous window are accepted, so a
photo of the code stops working within a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import TYPE_CHECKING

from django.utils import timezone

from gongjian.core.pii import derived_key

if TYPE_CHECKING:
    from .models import Activity

#: The QR code's token changes every this many seconds; the current and previous are accepted.
QR_STEP_SECONDS = 30


def window(now: dt.datetime) -> int:
    return int(now.timestamp()) // QR_STEP_SECONDS


def qr_token(activity: Activity, number: int) -> str:
    """The code of one window."""
    msg = f"{activity.pk}:{activity.sign_in_secret}:{number}".encode()
    return hmac.new(derived_key("service.qr"), msg, hashlib.sha256).hexdigest()[:20]


def qr_token_valid(*, activity: Activity, token: str, now: dt.datetime | None = None) -> bool:
    """Only the current window's code and the previous one's are accepted."""
    if not token:
        return False
    current = window(now or timezone.now())
    return any(
        hmac.compare_digest(token.encode(), qr_token(activity, w).encode()) for w in (current, current - 1)
    )
