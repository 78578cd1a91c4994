"""Encryption at rest for identity numbers and other sensitive fields.

A value is stored twice: encrypted (Fernet, so it can be revealed to someone with
the grant) and as a keyed hash (HMAC-SHA256, so exact lookups work without
decrypting every row). The two keys are separate so that the lookup key can be
shared with a search service without giving away the encryption key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class FieldCipher:
    def __init__(self, encryption_key: str, lookup_key: str):
        self._fernet = Fernet(encryption_key.encode())
        self._lookup_key = lookup_key.encode()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("cannot decrypt: wrong PINGAN_FIELD_KEY or damaged value") from None

    def lookup_hash(self, value: str) -> str:
        digest = hmac.new(self._lookup_key, value.strip().upper().encode(), hashlib.sha256)
        return digest.hexdigest()


def new_key() -> str:
    return Fernet.generate_key().decode()


def derive_lookup_key(encryption_key: str) -> str:
    """Used when no separate lookup key is configured."""
    digest = hashlib.sha256(b"pingan-lookup:" + encryption_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
