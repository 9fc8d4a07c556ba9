"""Text messages through a gateway: one interface, a console backend by default, one HTTP adapter.

``GONGJIAN_SMS_BACKEND`` chooses: ``console`` (default: the message is logged with the phone masked,
nothing leaves the machine), ``http`` (a JSON POST to ``GONGJIAN_SMS_URL`` with the bearer token
``GONGJIAN_SMS_TOKEN``; both from the environment, never in the code) or the dotted path of a class
that follows :class:`SmsGateway` (e.g. a WeChat template-message adapter).

Users carry no phone number; members do, sealed. ``GONGJIAN_SMS_PHONES`` names the function that
unseals the phones of a list of user ids (``members.audience.phones_for_users``), so the ground
floor reads no domain app. A failing gateway is logged (phone masked) and never undoes the write.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable, Iterable
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .pii import mask_in_text, mask_phone

log = logging.getLogger(__name__)


class SmsError(RuntimeError):
    pass


class SmsGateway(Protocol):
    """Sends one text to one phone number; raises :class:`SmsError` when the gateway refuses."""

    def send(self, *, phone: str, text: str) -> None: ...


class ConsoleSmsGateway:
    """The embedded default: writes the message to the log, the number masked."""

    def send(self, *, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), mask_in_text(text))


class HttpSmsGateway:
    """A JSON gateway: ``POST {url}`` with ``{"to": phone, "text": text}`` and a bearer token."""

    def __init__(self, *, url: str | None = None, token: str | None = None, timeout: float = 10) -> None:
        self.url = url if url is not None else str(getattr(settings, "GONGJIAN_SMS_URL", ""))
        self.token = token if token is not None else str(getattr(settings, "GONGJIAN_SMS_TOKEN", ""))
        self.timeout = timeout
        if not self.url.startswith(("https://", "http://")):
            raise SmsError("GONGJIAN_SMS_URL is not set to an http(s) address")

    def send(self, *, phone: str, text: str) -> None:
        data = json.dumps({"to": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except OSError as exc:  # HTTPError, URLError, timeouts: say which phone (masked), not the number
            raise SmsError(
                f"gateway refused the message to {mask_phone(phone)}: {type(exc).__name__}"
            ) from None
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered {status} for {mask_phone(phone)}")


def gateway() -> SmsGateway:
    backend = str(getattr(settings, "GONGJIAN_SMS_BACKEND", "console") or "console")
    if backend == "console":
        return ConsoleSmsGateway()
    if backend == "http":
        return HttpSmsGateway()
    factory: Callable[[], SmsGateway] = import_string(backend)
    return factory()


def phones_for(user_ids: Iterable[int]) -> dict[int, str]:
    """The phone numbers (clear, for the gateway only) of those users that have one."""
    path = str(getattr(settings, "GONGJIAN_SMS_PHONES", "") or "")
    ids = [pk for pk in user_ids if pk is not None]
    if not path or not ids:
        return {}
    lookup: Callable[[list[int]], dict[int, str]] = import_string(path)
    return lookup(ids)


def sms_send(*, user_ids: Iterable[int], text: str) -> int:
    """Text each user that has a phone; return how many messages the gateway took."""
    text = mask_in_text(text.strip())
    if not text:
        return 0
    sent = 0
    phones = phones_for(user_ids)
    if not phones:
        return 0
    backend = gateway()
    for phone in phones.values():
        try:
            backend.send(phone=phone, text=text)
        except SmsError as exc:
            log.warning("SMS failed: %s", exc)
            continue
        sent += 1
    return sent
