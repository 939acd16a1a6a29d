"""Encryption of personal data at rest (a KTP's NIK, under UU PDP 27/2022).

Fernet (AES-128-CBC with HMAC-SHA256) from ``cryptography``. The key comes from
FIELD_ENCRYPTION_KEY (required in production); in development a key is generated once and
kept in the instance folder, so data survives restarts.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    key = current_app.config.get("FIELD_ENCRYPTION_KEY") or _development_key()
    return Fernet(key)


def _development_key() -> bytes:
    path = Path(current_app.config["INSTANCE_DIR"]) / "field-encryption.key"
    if not path.exists():
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_bytes().strip()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str | None:
    """The plain value, or None when the token cannot be read (wrong key, damaged)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def mask_nik(nik: str | None) -> str:
    """6472010101900001 -> 6472••••••••0001."""
    if not nik or len(nik) < 8:
        return "••••"
    return nik[:4] + "•" * (len(nik) - 8) + nik[-4:]
