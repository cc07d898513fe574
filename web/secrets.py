"""Random secrets browsers hold, and the hashes the database keeps of them."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a secret: its SHA-256, hex (a stolen table opens nothing)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(given: str | None, expected: str) -> bool:
    """Compare in constant time; nothing given is never a match."""
    return bool(given) and hmac.compare_digest((given or "").encode(), expected.encode())
