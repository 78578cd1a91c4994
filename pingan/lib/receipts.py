"""Receipt codes residents are given to follow what they filed (an event, an
application, an appointment): ten characters that are easy to read out and type."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(10))


def normalise(text: str) -> str:
    """What a resident typed, as stored: upper case, no spaces."""
    return text.strip().replace(" ", "").upper()
