"""Receipt codes residents are given to follow what they filed (an event, an
application, an appointment): ten characters that are easy to read out and type."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

T = TypeVar("T")

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
RECEIPT_LENGTH = 10


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_LENGTH))


def normalise(text: str) -> str:
    """What a resident typed, as stored: upper case, no spaces."""
    return text.strip().replace(" ", "").upper()


def with_new_receipt(create: Callable[[str], T], attempts: int = 5) -> T:
    """`create(receipt)` with a fresh receipt code, again with another if the code
    is taken (a unique index says so): a clash is retried, never shown."""
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                return create(new_receipt())
        except IntegrityError:
            continue
    raise IntegrityError("no free receipt code after several attempts")
