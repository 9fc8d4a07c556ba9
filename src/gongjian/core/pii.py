"""Personal data: AES-GCM encryption at rest, keyed blind index for look-ups, masking.

Pure functions over the key in settings; no model code here. Values are sealed as
``v1:<base64(nonce || ciphertext+tag)>`` and the associated data binds a value to its purpose,
so a sealed phone number cannot be passed off as a sealed ID number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = "v1"
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def _master_key() -> bytes:
    from django.conf import settings

    raw = settings.GONGJIAN_PII_KEY
    key = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))
    if len(key) != 32:
        raise ValueError("GONGJIAN_PII_KEY must be 32 bytes, base64-encoded")
    return key


@lru_cache(maxsize=16)
def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def derived_key(purpose: str) -> bytes:
    """A sub-key of the personal-data key for one purpose (encryption, index, audit)."""
    return _derive(_master_key(), f"gongjian:{purpose}".encode())


def seal(value: str, *, purpose: str) -> str:
    if value == "":
        return ""
    nonce = os.urandom(12)
    ct = AESGCM(derived_key("encrypt")).encrypt(nonce, value.encode("utf-8"), purpose.encode())
    return f"{_VERSION}:" + base64.b64encode(nonce + ct).decode("ascii")


def unseal(token: str, *, purpose: str) -> str:
    if token == "":
        return ""
    version, _, body = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown sealed-value version")
    blob = base64.b64decode(body)
    return AESGCM(derived_key("encrypt")).decrypt(blob[:12], blob[12:], purpose.encode()).decode("utf-8")


_FILE_MAGIC = b"GJSEAL1\n"


def seal_bytes(data: bytes, *, purpose: str) -> bytes:
    """A whole file sealed like a value (e.g. an unmasked export kept until it is downloaded)."""
    nonce = os.urandom(12)
    return _FILE_MAGIC + nonce + AESGCM(derived_key("encrypt")).encrypt(nonce, data, purpose.encode())


def unseal_bytes(blob: bytes, *, purpose: str) -> bytes:
    if not blob.startswith(_FILE_MAGIC):
        raise ValueError("not a sealed file")
    body = blob[len(_FILE_MAGIC) :]
    return AESGCM(derived_key("encrypt")).decrypt(body[:12], body[12:], purpose.encode())


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of a normalised value, for exact look-ups without the clear value."""
    if value == "":
        return ""
    norm = value.strip().upper().replace(" ", "").replace("-", "")
    return hmac.new(derived_key(f"index:{purpose}"), norm.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """Mobile numbers as 138****1234; shorter (landline) numbers keep only their last four digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 11:
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
    if len(digits) > 4:
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}"
    return "*" * len(digits)


def mask_id_number(number: str) -> str:
    n = (number or "").strip().upper()
    if len(n) < 10:
        return "*" * len(n)
    return f"{n[:6]}{'*' * (len(n) - 10)}{n[-4:]}"


def mask_name(name: str) -> str:
    """A person's name with all but the first character hidden (王小明 → 王**), for messages that
    may leave the platform (e-mails of notifications)."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_in_text(text: str) -> str:
    """Mask anything in free text that looks like an ID number or a mobile number."""
    text = _ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(3)}", text)
    return _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
