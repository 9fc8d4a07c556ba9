"""Backup and restore: one archive with the database, the media, the audit checkpoints and the keys.

``backup_write`` writes a tar archive (mode 0600) holding

* ``manifest.json``: the format, when, from which database, each table's row count, the audit
  log's head, and a check value of the personal-data key (an HMAC of a constant under a key derived
  from it: it tells a right key from a wrong one and reveals nothing of it);
* ``data.json``: every table through Django's serialisers (natural keys for content types), so
  one path serves SQLite and PostgreSQL and a backup of one restores into the other. Personal data
  stays sealed: the sealed columns are copied as they are, never opened;
* ``media/…``: the uploaded files;
* ``audit-checkpoints.jsonl``: the signed checkpoints kept outside the database;
* ``keys.enc``: the secret key and the personal-data key, sealed with AES-GCM under a key derived
  from the passphrase given at backup time (scrypt), so the archive alone opens nothing.

``backup_restore`` reads one into an empty, migrated database: it refuses a wrong key (the running
``GONGJIAN_PII_KEY`` is not the backup's) and a database that already holds data, before anything
is written. ``backup_keys`` opens the sealed keys with the passphrase (a wrong one is said so).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import itertools
import json
import os
import secrets
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from .audit import audit_checkpoints_restart, checkpoint_path
from .models import AuditHead
from .pii import derived_key

FORMAT = 1
#: Tables not copied: made again by ``migrate`` (content types, permissions) or not worth keeping.
EXCLUDED = ("contenttypes", "auth.permission", "sessions", "admin.logentry")
MIN_PASSPHRASE = 12


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (and changes nothing)."""


def key_check() -> str:
    """A check value of the running personal-data key (safe to store beside the data)."""
    return hmac.new(derived_key("backup-check"), b"gongjian backup", hashlib.sha256).hexdigest()[:32]


def _models() -> list[Any]:
    out = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.proxy or not model._meta.managed:
            continue
        if label in EXCLUDED or model._meta.app_label in EXCLUDED:
            continue
        out.append(model)
    return out


def table_counts() -> dict[str, int]:
    """Rows per copied table (what a restore must give back)."""
    return {m._meta.label_lower: m._base_manager.count() for m in _models()}


class _Encoder(DjangoJSONEncoder):
    """Django's encoder keeps milliseconds only; the audit chain hashes microseconds, so keep them."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _dump(target: Path) -> None:
    """Every copied table as one JSON list (content types by natural key), streamed row by row."""
    by_app: dict[Any, list[Any]] = {}
    for model in _models():
        by_app.setdefault(model._meta.app_config, []).append(model)
    # models with natural keys (users) first, as dumpdata orders them, so references resolve on load
    ordered = serializers.sort_dependencies(list(by_app.items()), allow_cycles=True)
    rows = itertools.chain.from_iterable(
        m._base_manager.order_by("pk").iterator(chunk_size=2000) for m in ordered
    )
    with target.open("w", encoding="utf-8") as out:
        serializers.serialize("json", rows, stream=out, use_natural_foreign_keys=True, cls=_Encoder)


def _kdf(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _seal_keys(passphrase: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    keys = {"GONGJIAN_SECRET_KEY": settings.SECRET_KEY, "GONGJIAN_PII_KEY": settings.GONGJIAN_PII_KEY}
    sealed = AESGCM(_kdf(passphrase, salt)).encrypt(nonce, json.dumps(keys).encode(), b"gongjian-keys")
    return json.dumps(
        {"kdf": "scrypt", "salt": _b64(salt), "nonce": _b64(nonce), "sealed": _b64(sealed)}
    ).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


@dataclass(frozen=True)
class BackupResult:
    path: Path
    counts: dict[str, int]
    audit_seq: int


def backup_write(path: Path, *, passphrase: str) -> BackupResult:
    """Write the archive to ``path`` (module docstring); refuses a short passphrase before writing."""
    sealed_keys = _seal_keys(passphrase)
    head = AuditHead.objects.filter(id=1).first()
    counts = table_counts()
    manifest = {
        "format": FORMAT,
        "made_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "counts": counts,
        "audit": {"seq": head.seq if head else 0, "hash": head.hash if head else ""},
        "key_check": key_check(),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with tempfile.TemporaryDirectory() as tmp, os.fdopen(fd, "wb") as raw:
        dump = Path(tmp) / "data.json"
        _dump(dump)
        with tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            tar.add(dump, arcname="data.json")
            _add(tar, "keys.enc", sealed_keys)
            checkpoints = checkpoint_path()
            if checkpoints.exists():
                tar.add(checkpoints, arcname="audit-checkpoints.jsonl")
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                for file in sorted(media.rglob("*")):
                    if file.is_file():
                        tar.add(file, arcname=f"media/{file.relative_to(media).as_posix()}")
    return BackupResult(path, counts, manifest["audit"]["seq"])  # type: ignore[index]


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{path} is not a Gongjian backup archive ({exc})") from exc


def _read(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.extractfile(name)
    except KeyError as exc:
        raise BackupError(f"the archive has no {name}: not a Gongjian backup, or damaged") from exc
    if member is None:
        raise BackupError(f"{name} in the archive is not a file")
    return member.read()


def backup_manifest(path: Path) -> dict[str, Any]:
    with _open(Path(path)) as tar:
        manifest: dict[str, Any] = json.loads(_read(tar, "manifest.json"))
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"backup format {manifest.get('format')!r} is not one this version reads ({FORMAT})"
        )
    return manifest


def backup_keys(path: Path, *, passphrase: str) -> dict[str, str]:
    """The keys sealed in the archive, opened with the passphrase given at backup time."""
    with _open(Path(path)) as tar:
        box = json.loads(_read(tar, "keys.enc"))
    try:
        key = _kdf(passphrase, base64.b64decode(box["salt"]))
        clear = AESGCM(key).decrypt(
            base64.b64decode(box["nonce"]), base64.b64decode(box["sealed"]), b"gongjian-keys"
        )
    except InvalidTag as exc:
        raise BackupError("wrong passphrase: the keys in this backup do not open with it") from exc
    keys: dict[str, str] = json.loads(clear)
    return keys


WRONG_KEY = (
    "wrong key: this backup was made under another GONGJIAN_PII_KEY; its personal data and audit log "
    "open only with that key. Get the keys with `gongjian restore ARCHIVE --keys-to DIR` (asks for the "
    "backup's passphrase), set them, and restore again. Nothing was changed."
)


def _database_empty() -> bool:
    from django.contrib.auth import get_user_model

    from .models import AuditEntry

    return not (get_user_model()._base_manager.exists() or AuditEntry.objects.exists())


@dataclass(frozen=True)
class RestoreResult:
    counts: dict[str, int]
    expected: dict[str, int]
    media_files: int

    @property
    def differences(self) -> dict[str, tuple[int, int]]:
        return {
            label: (self.expected[label], self.counts.get(label, 0))
            for label in self.expected
            if self.counts.get(label, 0) != self.expected[label]
        }


def backup_restore(path: Path) -> RestoreResult:
    """Read the archive into this (empty, migrated) database, the media and the checkpoints back
    into place. Refuses, before writing anything, a wrong key and a database holding data."""
    path = Path(path)
    manifest = backup_manifest(path)
    if not hmac.compare_digest(str(manifest.get("key_check", "")), key_check()):
        raise BackupError(WRONG_KEY)
    if not _database_empty():
        raise BackupError(
            "the database is not empty: restore into a new database (create it, run `gongjian migrate`, "
            "then restore). Nothing was changed."
        )
    media = Path(settings.MEDIA_ROOT).resolve()
    media_files = 0
    with tempfile.TemporaryDirectory() as tmp, _open(path) as tar:
        dump = Path(tmp) / "data.json"
        dump.write_bytes(_read(tar, "data.json"))
        call_command("loaddata", str(dump), verbosity=0)
        for member in tar.getmembers():
            if member.name.startswith("media/") and member.isfile():
                target = (media / member.name.removeprefix("media/")).resolve()
                if not target.is_relative_to(media):
                    raise BackupError(f"{member.name} points outside the media folder")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(_read(tar, member.name))
                media_files += 1
        if "audit-checkpoints.jsonl" in tar.getnames():
            audit_checkpoints_restart()
            target = checkpoint_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_read(tar, "audit-checkpoints.jsonl"))
    return RestoreResult(table_counts(), dict(manifest["counts"]), media_files)
