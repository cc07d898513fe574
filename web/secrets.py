"""Random secrets browsers hold, and the hashes the database keeps of them (made in
``storage.web_console``, where the bot's sign-in links are made too)."""

from __future__ import annotations

import hmac

from storage.web_console import digest, new_secret


def same(given: str | None, expected: str) -> bool:
    """Compare in constant time; nothing given is never a match."""
    return bool(given) and hmac.compare_digest((given or "").encode(), expected.encode())


__all__ = ["digest", "new_secret", "same"]
